package io.herald.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.ratelimit.RateLimiter.Grant;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import io.herald.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link RateLimiter} adapter must do; time is a hand-moved clock. */
public abstract class RateLimiterContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(30);

    protected TestClock clock;
    protected RateLimiter limiter;

    /** A limiter with its own empty state, reading {@code clock}. */
    protected abstract RateLimiter newLimiter(TestClock clock);

    @BeforeEach
    void setUp() {
        clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
        limiter = newLimiter(clock);
    }

    protected Grant acquire(Quota quota, long units) {
        return limiter.acquire(quota, units).block(TIMEOUT);
    }

    @Test
    void aRestedRateGrantsItsBurstThenPartOfARequestWithARetryAfter() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 10, 5);

        Grant first = acquire(quota, 3);
        Grant second = acquire(quota, 4);
        Grant third = acquire(quota, 1);

        assertThat(first.granted()).isEqualTo(3);
        assertThat(first.retryAfter()).isZero();
        assertThat(second.granted()).isEqualTo(2);
        // One unit comes back every 100 ms.
        assertThat(second.retryAfter()).isEqualTo(Duration.ofMillis(100));
        assertThat(third.granted()).isZero();
        assertThat(third.retryAfter()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void unitsComeBackAtTheRateAndNeverBeyondTheBurst() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 10, 5);
        acquire(quota, 5);

        clock.advance(Duration.ofMillis(350));
        Grant afterAWhile = acquire(quota, 10);
        clock.advance(Duration.ofMinutes(5));
        Grant afterRest = acquire(quota, 10);

        assertThat(afterAWhile.granted()).isEqualTo(3);
        assertThat(afterAWhile.retryAfter()).isEqualTo(Duration.ofMillis(50));
        assertThat(afterRest.granted()).isEqualTo(5);
    }

    @Test
    void overAnyWindowNoMoreThanTheRateTimesTheWindowPlusTheBurstIsGranted() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 100, 50);
        long granted = 0;
        // 10 s asked for in steps of 7 ms, 3 units at a time: far more than the rate.
        for (int step = 0; step < 10_000 / 7; step++) {
            granted += acquire(quota, 3).granted();
            clock.advance(Duration.ofMillis(7));
        }

        assertThat(granted).isBetween(100L * 9, 100L * 10 + 50);
    }

    @Test
    void releasedUnitsCanBeTakenAgain() {
        Quota quota = Quota.perSecond("app-1", Resource.API_REQUESTS, 10, 5);
        Grant grant = acquire(quota, 5);

        limiter.release(quota, grant, 2).block(TIMEOUT);

        assertThat(acquire(quota, 5).granted()).isEqualTo(2);
    }

    @Test
    void releasingMoreThanWasTakenRestsTheBucketAndNoMore() {
        Quota quota = Quota.perSecond("app-1", Resource.API_REQUESTS, 10, 5);
        Grant grant = acquire(quota, 1);

        limiter.release(quota, grant, 1_000).block(TIMEOUT);

        assertThat(acquire(quota, 10).granted()).isEqualTo(5);
    }

    @Test
    void appsAndResourcesAreIndependent() {
        acquire(Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 10, 5), 5);

        assertThat(acquire(Quota.perSecond("app-2", Resource.PUBLISH_MESSAGES, 10, 5), 5).granted()).isEqualTo(5);
        assertThat(acquire(Quota.perSecond("app-1", Resource.API_REQUESTS, 10, 5), 5).granted()).isEqualTo(5);
    }

    @Test
    void theDailyQuotaLastsUntilMidnightInTheAppsZone() {
        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        // 23:50 in Tokyo, 14:50 UTC.
        clock = new TestClock(Instant.parse("2026-03-01T14:50:00Z"));
        limiter = newLimiter(clock);
        Quota quota = Quota.perDay("app-1", Resource.DAILY_MESSAGES, 100, tokyo);
        Quota utc = Quota.perDay("app-2", Resource.DAILY_MESSAGES, 100, ZoneOffset.UTC);

        Grant first = acquire(quota, 150);
        Grant over = acquire(quota, 1);
        acquire(utc, 100);
        clock.advance(Duration.ofMinutes(11));
        Grant nextDay = acquire(quota, 150);
        Grant utcStillOver = acquire(utc, 1);

        assertThat(first.granted()).isEqualTo(100);
        assertThat(first.retryAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(over.granted()).isZero();
        assertThat(over.retryAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(nextDay.granted()).isEqualTo(100);
        assertThat(utcStillOver.granted()).isZero();
        assertThat(utcStillOver.retryAfter()).isEqualTo(Duration.ofHours(9).minusMinutes(1));
    }

    @Test
    void aDailyReleaseGoesBackToTheDayOfItsGrant() {
        Quota quota = Quota.perDay("app-1", Resource.DAILY_MESSAGES, 10, ZoneOffset.UTC);
        Grant yesterday = acquire(quota, 10);
        clock.advance(Duration.ofDays(1));
        Grant today = acquire(quota, 10);

        limiter.release(quota, yesterday, 5).block(TIMEOUT);
        assertThat(acquire(quota, 1).granted()).isZero();
        limiter.release(quota, today, 4).block(TIMEOUT);

        assertThat(acquire(quota, 10).granted()).isEqualTo(4);
    }
}
