package io.herald.core.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.redis.RedisConnections;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The connection quota on a real {@code redis-server}, with a hand-moved clock. */
class RedisConnectionQuotaTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final Duration TTL = Duration.ofSeconds(30);

    static RedisServer redis;

    private final List<RedisConnections> connections = new ArrayList<>();
    private final TestClock clock = new TestClock();
    private final String prefix = RedisServer.uniquePrefix();

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
        connections.forEach(RedisConnections::close);
    }

    private RedisConnectionQuota node(String name, RedisServer server, int nodes) {
        RedisConnections made = new RedisConnections(RedisGcraRateLimiterTest.properties(server.uri(), prefix));
        connections.add(made);
        return new RedisConnectionQuota(made, name, clock, TTL, nodes);
    }

    private static boolean open(RedisConnectionQuota quota, String app, int limit) {
        return quota.open(app, limit).block(TIMEOUT);
    }

    @Test
    void theLimitHoldsAcrossNodesAndAClosedSlotCanBeTakenAgain() {
        RedisConnectionQuota a = node("a", redis, 2);
        RedisConnectionQuota b = node("b", redis, 2);

        assertThat(open(a, "app-1", 3)).isTrue();
        assertThat(open(b, "app-1", 3)).isTrue();
        assertThat(open(a, "app-1", 3)).isTrue();
        assertThat(open(b, "app-1", 3)).isFalse();
        assertThat(open(b, "app-2", 3)).isTrue();

        a.close("app-1");

        org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> open(b, "app-1", 3));
    }

    @Test
    void aDeadNodesConnectionsStopCountingAfterTheirTimeToLiveWhileALiveNodesAreRefreshed() {
        RedisConnectionQuota dead = node("dead", redis, 2);
        RedisConnectionQuota live = node("live", redis, 2);
        assertThat(open(dead, "app-1", 2)).isTrue();
        assertThat(open(live, "app-1", 2)).isTrue();
        assertThat(open(live, "app-1", 2)).isFalse();

        clock.advance(TTL.dividedBy(2));
        live.refresh().block(TIMEOUT);
        clock.advance(TTL.dividedBy(2).plusMillis(1));

        // "dead" never refreshed: its slot is gone; "live" refreshed: its slot still counts.
        assertThat(open(live, "app-1", 2)).isTrue();
        assertThat(open(live, "app-1", 2)).isFalse();
    }

    @Test
    void withTheStateRedisDownANodeAdmitsItsLocalShareAndNoMore() {
        RedisServer own = RedisServer.start();
        try {
            RedisConnectionQuota quota = node("a", own, 4);
            assertThat(open(quota, "app-1", 8)).isTrue();
            own.stop();

            // 8 ÷ 4 nodes = 2 on this node, one of which it holds already.
            assertThat(open(quota, "app-1", 8)).isTrue();
            assertThat(open(quota, "app-1", 8)).isFalse();
            assertThat(quota.degraded()).isTrue();
        }
        finally {
            own.close();
        }
    }
}
