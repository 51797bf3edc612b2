package io.herald.publish;

import static io.herald.publish.PublishApiTest.expectError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.Broker;
import io.herald.core.shard.ShardRouter;
import io.herald.core.testing.RedisServer;
import io.herald.publish.testing.ChannelProbe;
import io.herald.publish.testing.SignedRequests;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * A Redis shard goes down and comes back: publishes to its channels fail fast with 503 and
 * {@code Retry-After}, channels on the other shard keep working, and publishing resumes by
 * itself when the shard returns.
 */
class ShardOutageTest {

    static final String APP = "app-1";
    static final String KEY = "key-1";
    static final String SECRET = "secret-outage-5a1b";

    RedisServer shard0;
    RedisServer shard1;
    ConfigurableApplicationContext context;
    ChannelProbe probe;
    SignedRequests api;
    String onShard0;
    String onShard1;

    @BeforeEach
    void start() {
        shard0 = RedisServer.start();
        shard1 = RedisServer.start();
        String prefix = RedisServer.uniquePrefix();
        context = PublishServiceApplication.builder().run(
                "--server.port=0",
                "--herald.redis.shards[0]=" + shard0.uri(),
                "--herald.redis.shards[1]=" + shard1.uri(),
                "--herald.redis.key-prefix=" + prefix,
                "--herald.redis.reconnect-max-delay=200ms",
                "--herald.publish.retry-after=3s",
                "--herald.apps[0].id=" + APP, "--herald.apps[0].key=" + KEY, "--herald.apps[0].secret=" + SECRET);
        api = new SignedRequests("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"),
                KEY, SECRET);
        probe = new ChannelProbe(List.of(shard0.uri(), shard1.uri()), prefix);
        awaitShardsUp(context);
        ShardRouter router = new ShardRouter(2);
        for (int i = 0; onShard0 == null || onShard1 == null; i++) {
            String channel = "outage-" + i;
            if (router.shardOf(APP, channel) == 0 && onShard0 == null) {
                onShard0 = channel;
            }
            else if (router.shardOf(APP, channel) == 1 && onShard1 == null) {
                onShard1 = channel;
            }
        }
    }

    @AfterEach
    void stop() {
        if (probe != null) {
            probe.close();
        }
        if (context != null) {
            context.close();
        }
        shard0.close();
        shard1.close();
    }

    @Test
    void aDownShardAnswers503WithRetryAfterWhileTheOtherShardKeepsWorking() {
        probe.subscribe(APP, onShard1);
        shard0.stop();

        // The service notices the closed connection within moments; until then a publish may still be tried.
        AtomicReference<EntityExchangeResult<String>> failed = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            EntityExchangeResult<String> result = api.post("/apps/" + APP + "/events", event(onShard0))
                    .expectBody(String.class).returnResult();
            failed.set(result);
            return result.getStatus().value() == 503;
        });
        assertThat(failed.get().getResponseHeaders().getFirst("Retry-After")).isEqualTo("3");
        assertThat(failed.get().getResponseBody()).contains(onShard0).contains("temporarily unavailable")
                .doesNotContain("redis://").doesNotContain(String.valueOf(shard0.port()));
        expectError(api.post("/apps/" + APP + "/events", event(onShard0)), 503, "retry after 3 s");

        api.post("/apps/" + APP + "/events", event(onShard1)).expectStatus().isOk();
        assertThat(ChannelProbe.frame(probe.next())).contains(onShard1);

        // Health says the shard is down, but the replica stays live and ready: it still serves the other shard.
        api.client().get().uri("/actuator/health").exchange().expectStatus().isEqualTo(503);
        api.client().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        api.client().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();

        // One event to both shards: the healthy channel is delivered, the answer is still 503.
        expectError(api.post("/apps/" + APP + "/events",
                "{\"name\":\"both\",\"channels\":[\"" + onShard0 + "\",\"" + onShard1 + "\"],\"data\":\"d\"}"), 503,
                "The event was delivered to " + onShard1);
        assertThat(ChannelProbe.frame(probe.next())).contains("\"both\"").contains(onShard1);

        // A batch stops at the first event that could not be published.
        expectError(api.post("/apps/" + APP + "/batch_events", "{\"batch\":["
                + "{\"name\":\"b0\",\"channel\":\"" + onShard1 + "\",\"data\":\"d\"},"
                + "{\"name\":\"b1\",\"channel\":\"" + onShard0 + "\",\"data\":\"d\"},"
                + "{\"name\":\"b2\",\"channel\":\"" + onShard1 + "\",\"data\":\"d\"}]}"), 503,
                "Events before batch[1] were delivered");
        assertThat(ChannelProbe.frame(probe.next())).contains("\"b0\"");

        shard0.restart();
        probe.subscribe(APP, onShard0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                api.post("/apps/" + APP + "/events", event(onShard0)).expectBody(String.class).returnResult()
                        .getStatus().value() == 200);
        assertThat(ChannelProbe.frame(probe.next())).contains(onShard0);
        // b2 was never published: the next message on the healthy shard's channel is a new one.
        api.post("/apps/" + APP + "/events", "{\"name\":\"after\",\"channel\":\"" + onShard1 + "\",\"data\":\"d\"}")
                .expectStatus().isOk();
        assertThat(ChannelProbe.frame(probe.next())).contains("\"after\"");
    }

    /** The service connects to its shards in the background; a test starts once it has. */
    static void awaitShardsUp(ConfigurableApplicationContext context) {
        Broker broker = context.getBean(Broker.class);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !broker.shardHealth().contains(false));
    }

    static String event(String channel) {
        return "{\"name\":\"e\",\"channel\":\"" + channel + "\",\"data\":\"d\"}";
    }
}
