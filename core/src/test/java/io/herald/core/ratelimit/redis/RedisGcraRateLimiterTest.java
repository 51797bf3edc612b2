package io.herald.core.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.ratelimit.QuotaDays;
import io.herald.core.ratelimit.RateLimiter;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import io.herald.core.ratelimit.RateLimiterContractTest;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.redis.RedisUnavailableException;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.TestClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis limiter against a real {@code redis-server}, each test with its own key prefix. */
class RedisGcraRateLimiterTest extends RateLimiterContractTest {

    static RedisServer redis;
    static RedisClient client;
    static StatefulRedisConnection<String, String> direct;

    private final List<RedisConnections> connections = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        client = RedisClient.create(redis.uri().toString());
        direct = client.connect();
    }

    @AfterAll
    static void stopRedis() {
        direct.close();
        client.shutdown();
        redis.close();
    }

    @AfterEach
    void closeConnections() {
        connections.forEach(RedisConnections::close);
    }

    static RedisProperties properties(java.net.URI state, String prefix) {
        return new RedisProperties(List.of(), prefix, Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofMillis(200), state);
    }

    private RedisGcraRateLimiter limiter(java.net.URI state, TestClock clock) {
        RedisConnections made = new RedisConnections(properties(state, RedisServer.uniquePrefix()));
        connections.add(made);
        return new RedisGcraRateLimiter(made, clock);
    }

    @Override
    protected RateLimiter newLimiter(TestClock clock) {
        return limiter(redis.uri(), clock);
    }

    @Test
    void aCallerWhoseClockIsBehindRedisStillFindsItsDrainedBucket() throws InterruptedException {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 10, 5);
        acquire(quota, 5);

        // Redis's clock moves on past the bucket's rest (500 ms); the caller's clock does not.
        Thread.sleep(700);

        assertThat(acquire(quota, 5).granted()).isZero();
    }

    @Test
    void aRateKeyExpiresAMinuteAfterItsBucketHasRested() {
        RedisGcraRateLimiter redisLimiter = (RedisGcraRateLimiter) limiter;
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 10, 5);

        acquire(quota, 5);

        // 5 units at 100 ms each: the bucket is rested again in 500 ms, and the key goes the slack after that.
        long slack = RedisGcraRateLimiter.RATE_KEY_SLACK.toMillis();
        assertThat(direct.sync().pttl(redisLimiter.rateKey(quota))).isBetween(slack + 400L, slack + 500L);
    }

    @Test
    void aDaysCounterExpiresAfterItsDay() {
        RedisGcraRateLimiter redisLimiter = (RedisGcraRateLimiter) limiter;
        ZoneId paris = ZoneId.of("Europe/Paris");
        Quota quota = Quota.perDay("app-1", Resource.DAILY_MESSAGES, 100, paris);

        RateLimiter.Grant grant = acquire(quota, 1);

        String key = redisLimiter.dayKey(quota, grant.window());
        assertThat(key).endsWith(":daily:2026-03-01");
        long expected = QuotaDays.untilNextDay(clock.instant(), paris).plus(RedisGcraRateLimiter.DAY_KEY_SLACK)
                .toMillis();
        assertThat(direct.sync().pttl(key)).isBetween(expected - 2_000, expected);
        assertThat(direct.sync().get(key)).isEqualTo("1");
    }

    @Test
    void twoProcessesShareOneQuota() {
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 10, 6);
        String prefix = RedisServer.uniquePrefix();
        RedisConnections a = new RedisConnections(properties(redis.uri(), prefix));
        RedisConnections b = new RedisConnections(properties(redis.uri(), prefix));
        connections.add(a);
        connections.add(b);
        RateLimiter one = new RedisGcraRateLimiter(a, clock);
        RateLimiter two = new RedisGcraRateLimiter(b, clock);

        long granted = one.acquire(quota, 4).block(TIMEOUT).granted() + two.acquire(quota, 4).block(TIMEOUT).granted();

        assertThat(granted).isEqualTo(6);
    }

    @Test
    void anUnreachableStateRedisFailsTheDecisionWithoutItsPassword() {
        RedisServer down = RedisServer.start();
        java.net.URI uri = java.net.URI.create("redis://:hunter2-secret@127.0.0.1:" + down.port());
        down.close();
        RedisGcraRateLimiter unreachable = limiter(uri, clock);

        assertThatThrownBy(() -> unreachable.acquire(Quota.perSecond("app-1", Resource.API_REQUESTS, 1, 1), 1)
                .block(TIMEOUT))
                .isInstanceOf(RedisUnavailableException.class)
                .hasMessageNotContaining("hunter2-secret");
    }
}
