package io.herald.core.webhook.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import io.herald.core.webhook.WebhookFailureLog;
import io.herald.core.webhook.WebhookFailureLog.WebhookFailure;
import io.herald.core.webhook.WebhookFailureLogContractTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisWebhookFailureLogTest extends WebhookFailureLogContractTest {

    private static RedisServer redis;

    private final List<WebhookRedisClient> clients = new ArrayList<>();
    private final String prefix = RedisServer.uniquePrefix();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private final List<io.herald.core.redis.RedisConnections> connections = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(WebhookRedisClient::close);
        connections.forEach(io.herald.core.redis.RedisConnections::close);
    }

    private WebhookRedisClient client(RedisProperties properties) {
        io.herald.core.redis.RedisConnections made = new io.herald.core.redis.RedisConnections(properties);
        connections.add(made);
        return new WebhookRedisClient(made);
    }

    @Override
    protected WebhookFailureLog createLog(int keptPerApp) {
        WebhookRedisClient client = client(RedisWebhookQueueTest.properties(redis.uri(), prefix));
        clients.add(client);
        return new RedisWebhookFailureLog(client, keptPerApp, Duration.ofHours(1));
    }

    @Test
    void eachAppHasOneListThatExpires() {
        RedisWebhookFailureLog log = (RedisWebhookFailureLog) createLog(10);
        log.record(new WebhookFailure("app-1", URI.create("http://x.test/"), Instant.now(), 1, 503, "down", 1, false))
                .block(TIMEOUT);

        RedisClient client = RedisClient.create(redis.uri().toString());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(log.key("app-1")).isEqualTo(prefix + "webhook-failures:app-1");
            assertThat(connection.sync().llen(log.key("app-1"))).isEqualTo(1);
            assertThat(connection.sync().ttl(log.key("app-1"))).isBetween(1L, 3600L);
        }
        finally {
            client.shutdown();
        }
    }

    @Test
    void anUnreadableEntryIsSkipped() {
        RedisWebhookFailureLog log = (RedisWebhookFailureLog) createLog(10);
        WebhookFailure good = new WebhookFailure("app-1", URI.create("http://x.test/"), Instant.parse(
                "2025-01-01T00:00:00Z"), 1, 503, "down", 1, false);
        log.record(good).block(TIMEOUT);
        RedisClient client = RedisClient.create(redis.uri().toString());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().lpush(log.key("app-1"), "not json");
        }
        finally {
            client.shutdown();
        }

        assertThat(log.recent("app-1", 10).collectList().block(TIMEOUT)).containsExactly(good);
    }
}
