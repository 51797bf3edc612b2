package io.herald.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.ratelimit.LeasedRateLimiter.Admission;
import io.herald.core.ratelimit.RateLimiter.Grant;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import io.herald.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Leases over a shared limiter, with a hand-moved clock. The shared limiter is the in-memory one
 * here; {@code redis.LeasedRedisRateLimiterTest} runs the same tests over a real Redis.
 */
public class LeasedRateLimiterTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(5);

    protected TestClock clock;
    protected RateLimiter shared;
    protected final AtomicInteger sharedCalls = new AtomicInteger();
    private final List<LeasedRateLimiter> nodes = new ArrayList<>();

    /** The shared limiter under test, reading {@code clock}. */
    protected RateLimiter newShared(TestClock clock) {
        return new InMemoryRateLimiter(clock);
    }

    @BeforeEach
    void setUp() {
        clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
        RateLimiter backend = newShared(clock);
        // Counts the calls that reach the shared limiter; the limiter itself is the real one.
        shared = new RateLimiter() {
            @Override
            public Mono<Grant> acquire(Quota quota, long units) {
                sharedCalls.incrementAndGet();
                return backend.acquire(quota, units);
            }

            @Override
            public Mono<Void> release(Quota quota, Grant grant, long units) {
                return backend.release(quota, grant, units);
            }
        };
    }

    protected LeasedRateLimiter node(RateLimiter over, int nodeCount) {
        LeasedRateLimiter node = new LeasedRateLimiter(over, clock, Duration.ofSeconds(1), Duration.ofSeconds(2),
                CircuitBreaker.ofDefaults("test"), nodeCount);
        nodes.add(node);
        return node;
    }

    private static boolean admitted(LeasedRateLimiter node, Quota quota, long units) {
        return node.admit(quota, units).block(TIMEOUT).admitted();
    }

    @Test
    void threeNodesHammeringOneAppAdmitAtMostTheRateTimesTheWindowPlusTheBurstAndALeaseEach() {
        long limit = 200;
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, limit, limit / 2);
        List<LeasedRateLimiter> three = List.of(node(shared, 3), node(shared, 3), node(shared, 3));
        long admitted = 0;
        // 10 s in 5 ms steps; each node tries 4 messages a step: 2400/s asked of a 200/s quota.
        for (int step = 0; step < 2_000; step++) {
            for (LeasedRateLimiter node : three) {
                for (int i = 0; i < 4; i++) {
                    admitted += admitted(node, quota, 1) ? 1 : 0;
                }
            }
            clock.advance(Duration.ofMillis(5));
        }

        long lease = LeasedRateLimiter.leaseSize(quota);
        assertThat(admitted).isLessThanOrEqualTo(limit * 10 + quota.burst() + 3 * lease);
        // …and the quota is used, not starved by leases held on other nodes.
        assertThat(admitted).isGreaterThanOrEqualTo(limit * 10 - 3 * lease);
    }

    @Test
    void aNodeAsksTheSharedLimiterOncePerLeaseNotOncePerMessage() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 1_000, 500);
        LeasedRateLimiter node = node(shared, 1);

        for (int i = 0; i < 100; i++) {
            assertThat(admitted(node, quota, 1)).isTrue();
        }

        // A lease is a tenth of the per-second limit: 100 units.
        assertThat(sharedCalls.get()).isLessThanOrEqualTo(2);
    }

    @Test
    void theLocalFastPathTakesOnlyWhatALiveLeaseHoldsAndNeverAsksTheSharedLimiter() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 1_000, 500);
        LeasedRateLimiter node = node(shared, 1);
        // no lease yet: admit() must decide
        assertThat(node.tryAdmitLocally(quota, 1)).isFalse();
        assertThat(sharedCalls.get()).isZero();

        // admit() takes 1 + a lease of 100; the fast path then takes exactly those 100
        assertThat(admitted(node, quota, 1)).isTrue();
        int fast = 0;
        while (node.tryAdmitLocally(quota, 1)) {
            fast++;
        }
        assertThat(fast).isEqualTo(100);
        assertThat(sharedCalls.get()).isEqualTo(1);
        // all or nothing: a request larger than the rest takes nothing
        assertThat(admitted(node, quota, 1)).isTrue();
        assertThat(node.tryAdmitLocally(quota, 101)).isFalse();
        assertThat(node.tryAdmitLocally(quota, 100)).isTrue();

        // an expired lease is admit()'s to give back, never spent here
        assertThat(admitted(node, quota, 1)).isTrue();
        clock.advance(Duration.ofMillis(1_000));
        assertThat(node.tryAdmitLocally(quota, 1)).isFalse();
        assertThat(sharedCalls.get()).isEqualTo(3);
    }

    @Test
    void whatANodeDidNotUseIsGivenBackWhenItsLeaseExpires() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 100, 20);
        LeasedRateLimiter node = node(shared, 1);
        assertThat(admitted(node, quota, 1)).isTrue();

        clock.advance(Duration.ofMillis(1_001));
        node.releaseExpired().block(TIMEOUT);

        // A lease of 10 was taken for 1; the 9 came back, so 1 s later the bucket is full again.
        assertThat(shared.acquire(quota, 100).block(TIMEOUT).granted()).isEqualTo(20);
    }

    @Test
    void overTheQuotaARequestIsRefusedWithRetryAfterAndRefusalsStayLocalUntilThen() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 10, 5);
        LeasedRateLimiter node = node(shared, 1);
        assertThat(admitted(node, quota, 5)).isTrue();

        Admission refused = node.admit(quota, 1).block(TIMEOUT);
        int callsAfterFirstRefusal = sharedCalls.get();
        Admission again = node.admit(quota, 1).block(TIMEOUT);

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(100));
        assertThat(again.admitted()).isFalse();
        assertThat(sharedCalls.get()).isEqualTo(callsAfterFirstRefusal);
        clock.advance(Duration.ofMillis(100));
        assertThat(admitted(node, quota, 1)).isTrue();
    }

    @Test
    void aRequestIsAdmittedWhollyOrNotAtAll() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 10, 5);
        LeasedRateLimiter node = node(shared, 1);

        assertThat(admitted(node, quota, 8)).isFalse();
        // The 5 granted toward the refused request are kept for the next ones.
        assertThat(admitted(node, quota, 5)).isTrue();
    }

    @Test
    void aDailyLeaseEndsWithItsDay() {
        Quota quota = Quota.perDay("app-1", Resource.DAILY_MESSAGES, 1_000, java.time.ZoneOffset.UTC);
        clock.advance(Duration.ofHours(13).plusMinutes(59).plusSeconds(59).plusMillis(500)); // 23:59:59.5
        LeasedRateLimiter node = node(shared, 1);
        assertThat(admitted(node, quota, 1)).isTrue();

        clock.advance(Duration.ofMillis(600));
        node.releaseExpired().block(TIMEOUT);

        // The new day starts with its whole quota; yesterday's lease went back to yesterday.
        assertThat(shared.acquire(quota, 1_000).block(TIMEOUT).granted()).isEqualTo(1_000);
    }
}
