package io.herald.metrics.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the {@link SignInSessions} and {@link LoginThrottle} adapters guarantee, in memory and on
 * Redis: sessions found until they end or idle out, throttling after the limits, per username and
 * per address, until the window ends.
 */
public abstract class SignInStoresContractTest {

    protected static final Duration WAIT = Duration.ofSeconds(30);
    /** The idle timeout and the failure window of the adapters under test. */
    protected static final Duration IDLE = Duration.ofSeconds(2);

    protected SignInSessions sessions;
    protected LoginThrottle throttle;

    /** Sessions idling out after {@link #IDLE}. */
    protected abstract SignInSessions newSessions();

    /** At most 2 failures per username and 3 per address within {@link #IDLE}. */
    protected abstract LoginThrottle newThrottle();

    /** Lets {@code time} pass for the adapters. */
    protected abstract void pass(Duration time);

    @BeforeEach
    void make() {
        sessions = newSessions();
        throttle = newThrottle();
    }

    @AfterEach
    void close() throws Exception {
        for (Object adapter : new Object[] { sessions, throttle }) {
            if (adapter instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    @Test
    void aSessionIsFoundByItsIdUntilItIsDeleted() {
        SignInSessions.SignIn signIn = new SignInSessions.SignIn("acme", "alice", "0123456789abcdef");
        String id = sessions.create(signIn).block(WAIT);
        String other = sessions.create(signIn).block(WAIT);
        assertThat(id).hasSize(43).isNotEqualTo(other);
        assertThat(sessions.find(id).block(WAIT)).isEqualTo(signIn);
        assertThat(sessions.find(id + "x").blockOptional(WAIT)).isEmpty();
        sessions.delete(id).block(WAIT);
        assertThat(sessions.find(id).blockOptional(WAIT)).isEmpty();
        assertThat(sessions.find(other).block(WAIT)).isEqualTo(signIn);
    }

    @Test
    void aSessionEndsAfterTheIdleTimeoutAndEachUseExtendsIt() {
        SignInSessions.SignIn signIn = new SignInSessions.SignIn("acme", "alice", "0123456789abcdef");
        String id = sessions.create(signIn).block(WAIT);
        pass(IDLE.dividedBy(2).plusMillis(200));
        assertThat(sessions.find(id).block(WAIT)).isEqualTo(signIn);
        pass(IDLE.dividedBy(2).plusMillis(200));
        // More than the idle timeout since it was made, less since it was last used.
        assertThat(sessions.find(id).block(WAIT)).isEqualTo(signIn);
        pass(IDLE.plusMillis(300));
        assertThat(sessions.find(id).blockOptional(WAIT)).isEmpty();
    }

    @Test
    void failuresAreCountedPerUsernameAndPerAddressUntilTheWindowEnds() {
        assertThat(throttle.refusedFor("alice", "10.0.0.1").block(WAIT)).isZero();
        throttle.failed("alice", "10.0.0.1").block(WAIT);
        throttle.failed("ALICE", "10.0.0.2").block(WAIT);
        Duration refused = throttle.refusedFor("alice", "10.0.0.9").block(WAIT);
        assertThat(refused).isPositive().isLessThanOrEqualTo(IDLE);
        assertThat(throttle.refusedFor("bob", "10.0.0.1").block(WAIT)).isZero();

        throttle.failed("bob", "10.0.0.3").block(WAIT);
        throttle.failed("carol", "10.0.0.3").block(WAIT);
        throttle.failed("dave", "10.0.0.3").block(WAIT);
        assertThat(throttle.refusedFor("erin", "10.0.0.3").block(WAIT)).isPositive();
        assertThat(throttle.refusedFor("erin", "10.0.0.4").block(WAIT)).isZero();

        pass(IDLE.plusMillis(300));
        assertThat(throttle.refusedFor("alice", "10.0.0.3").block(WAIT)).isZero();
    }

    @Test
    void aSuccessClearsTheUsernamesFailures() {
        throttle.failed("alice", "10.0.0.1").block(WAIT);
        throttle.succeeded("alice").block(WAIT);
        throttle.failed("alice", "10.0.0.1").block(WAIT);
        assertThat(throttle.refusedFor("alice", "10.0.0.5").block(WAIT)).isZero();
    }
}
