package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.RedisServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code maxConnections} across two edges sharing a state Redis, with the official
 * pusher-java-client: over it a new connection is refused with 4004, on whichever edge.
 */
class ConnectionQuotaTest {

    static RedisServer redis;
    static EdgeTestServer one;
    static EdgeTestServer two;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        Map<String, Object> shared = Map.of("herald.redis.state", redis.uri().toString(),
                "herald.redis.key-prefix", RedisServer.uniquePrefix(), "herald.apps[0].max-connections", 2);
        one = new EdgeTestServer(redis, shared);
        two = new EdgeTestServer(redis, shared);
    }

    @AfterAll
    static void stop() {
        one.close();
        two.close();
        redis.close();
    }

    @Test
    void overTheAppsConnectionQuotaANewConnectionIsRefusedWith4004UntilOneCloses() throws Exception {
        try (OfficialClient first = OfficialClient.connect(EdgeTestServer.KEY, one.port);
                OfficialClient second = OfficialClient.connect(EdgeTestServer.KEY, two.port)) {

            assertThatThrownBy(() -> OfficialClient.connect(EdgeTestServer.KEY, one.port))
                    .hasMessageContaining("4004");
            await().atMost(Duration.ofSeconds(30)).until(() -> one.closed(4004) >= 1);

            first.close();
            first.disconnected.get(10, java.util.concurrent.TimeUnit.SECONDS);
            // The slot is given back when the server sees the close.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                OfficialClient.connect(EdgeTestServer.KEY, two.port).close();
                return true;
            });
        }
    }
}
