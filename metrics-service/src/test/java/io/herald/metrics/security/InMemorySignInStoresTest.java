package io.herald.metrics.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The in-memory sessions and throttle against the contract, on a test clock; and their bounds. */
class InMemorySignInStoresTest extends SignInStoresContractTest {

    private final TestClock clock = new TestClock();

    @Override
    protected SignInSessions newSessions() {
        return new InMemorySignInSessions(clock, IDLE, 1000);
    }

    @Override
    protected LoginThrottle newThrottle() {
        return new InMemoryLoginThrottle(clock, 2, 3, IDLE, 1000);
    }

    @Override
    protected void pass(Duration time) {
        clock.advance(time);
    }

    @Test
    void beyondTheBoundTheSessionsIdleLongestEnd() {
        InMemorySignInSessions few = new InMemorySignInSessions(clock, IDLE, 2);
        SignInSessions.SignIn signIn = new SignInSessions.SignIn("acme", "alice", "0123456789abcdef");
        String first = few.create(signIn).block(WAIT);
        clock.advance(Duration.ofMillis(10));
        String second = few.create(signIn).block(WAIT);
        clock.advance(Duration.ofMillis(10));
        few.find(first).block(WAIT);
        String third = few.create(signIn).block(WAIT);
        assertThat(few.find(second).blockOptional(WAIT)).isEmpty();
        assertThat(few.find(first).blockOptional(WAIT)).isPresent();
        assertThat(few.find(third).blockOptional(WAIT)).isPresent();
    }

    @Test
    void aFloodOfMadeUpUsernamesStaysWithinTheBoundAndDoesNotLiftARefusal() {
        InMemoryLoginThrottle bounded = new InMemoryLoginThrottle(clock, 2, 1_000_000, IDLE, 50);
        bounded.failed("alice", "10.0.0.1").block(WAIT);
        bounded.failed("alice", "10.0.0.1").block(WAIT);
        for (int i = 0; i < 500; i++) {
            clock.advance(Duration.ofMillis(1));
            bounded.failed("made-up-" + i, "10.0.0.1").block(WAIT);
        }
        assertThat(bounded.size()).isLessThanOrEqualTo(50);
        assertThat(bounded.refusedFor("alice", "10.0.0.2").block(WAIT)).isPositive();
    }
}
