package io.herald.core.ratelimit.redis;

import io.herald.core.ratelimit.LeasedRateLimiterTest;
import io.herald.core.ratelimit.RateLimiter;
import io.herald.core.redis.RedisConnections;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.TestClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import java.time.Duration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The lease tests over the Redis limiter on a real {@code redis-server}. */
class LeasedRedisRateLimiterTest extends LeasedRateLimiterTest {

    static RedisServer redis;

    private RedisConnections connections;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void closeConnections() {
        connections.close();
    }

    @Override
    protected RateLimiter newShared(TestClock clock) {
        connections = new RedisConnections(RedisGcraRateLimiterTest.properties(redis.uri(), RedisServer.uniquePrefix()));
        return new RedisGcraRateLimiter(connections, clock);
    }

    @Test
    void withTheStateRedisDownEachNodeAdmitsItsLocalShareAndComesBackWhenRedisDoes() {
        try (RedisServer own = RedisServer.start();
                RedisConnections ownConnections = new RedisConnections(
                        RedisGcraRateLimiterTest.properties(own.uri(), RedisServer.uniquePrefix()))) {
            RedisGcraRateLimiter backend = new RedisGcraRateLimiter(ownConnections, clock);
            LeasedRateLimiter node = node(backend, 4);
            Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 100, 40);
            assertThat(node.admit(quota, 1).block(TIMEOUT).admitted()).isTrue();
            clock.advance(Duration.ofSeconds(2));
            node.releaseExpired().block(TIMEOUT);

            own.stop();
            long admitted = 0;
            for (int i = 0; i < 100; i++) {
                admitted += node.admit(quota, 1).block(TIMEOUT).admitted() ? 1 : 0;
            }

            // A quarter of the burst at once: never blocked outright, never the whole quota on one node.
            assertThat(admitted).isEqualTo(10);
            assertThat(node.degraded()).isTrue();
            assertThat(node.fallbackDecisions()).isPositive();

            own.restart();
            clock.advance(Duration.ofSeconds(2));
            await().atMost(TIMEOUT).until(() -> node.admit(quota, 1).block(TIMEOUT).admitted() && !node.degraded());
        }
    }
}
