package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-connection token bucket, on a hand-moved clock, with the app's limit changing under it. */
class ClientEventLimiterTest {

    private static final long HALF_SECOND = Duration.ofMillis(500).toNanos();
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aLoweredLimitAppliesFromTheNextEvent() {
        ClientEventLimiter limiter = new ClientEventLimiter();
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(0, 10)).isTrue();
        }
        // Five of ten tokens are left, but the bucket now holds two.
        assertThat(limiter.tryAcquire(0, 2)).isTrue();
        assertThat(limiter.tryAcquire(0, 2)).isTrue();
        assertThat(limiter.tryAcquire(0, 2)).isFalse();
        // Half a second refills one token at two per second.
        assertThat(limiter.tryAcquire(HALF_SECOND, 2)).isTrue();
        assertThat(limiter.tryAcquire(HALF_SECOND, 2)).isFalse();
    }

    @Test
    void aRaisedLimitRefillsFasterAndAllowsLargerBursts() {
        ClientEventLimiter limiter = new ClientEventLimiter();
        assertThat(limiter.tryAcquire(0, 1)).isTrue();
        assertThat(limiter.tryAcquire(0, 1)).isFalse();
        // One second at five per second: a burst of five.
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(SECOND, 5)).isTrue();
        }
        assertThat(limiter.tryAcquire(SECOND, 5)).isFalse();
    }
}
