package io.herald.publish;

import static io.herald.publish.PublishApiTest.expectError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import io.herald.core.redis.RedisConnections;
import io.herald.core.testing.RedisServer;
import io.herald.publish.testing.ChannelProbe;
import io.herald.publish.testing.SignedRequests;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * The state Redis ({@code herald.redis.state}: apps, the webhook queue) goes down and comes back,
 * with its data (a persistent Redis), while the shard stays up; requests come from Pusher's
 * official server SDK (pusher-http-java).
 *
 * <p>What needs it: only looking up an app that is not cached. So every endpoint of an app
 * looked up before the outage keeps working (publishes, batches, queries, users, terminate: they
 * need the shards), and every request for an app that is not cached answers 503 with
 * {@code Retry-After} and Herald's JSON error body, never 500. Once the state Redis is back
 * everything works again without a restart.
 */
class StateRedisOutageTest {

    static final String CACHED_APP = "app-cached";
    static final String CACHED_KEY = "key-cached";
    static final String CACHED_SECRET = "secret-cached-7f3e";
    static final String OTHER_APP = "app-other";
    static final String OTHER_KEY = "key-other";
    static final String OTHER_SECRET = "secret-other-2c9d";
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    RedisServer shard;
    RedisServer state;
    ConfigurableApplicationContext context;
    ChannelProbe probe;
    Pusher cached;
    Pusher other;
    SignedRequests otherApi;

    @BeforeEach
    void start() {
        shard = RedisServer.start();
        state = RedisServer.startPersistent();
        String prefix = RedisServer.uniquePrefix();
        context = PublishServiceApplication.builder().run(
                "--server.port=0",
                "--herald.redis.shards[0]=" + shard.uri(),
                "--herald.redis.state=" + state.uri(),
                "--herald.redis.key-prefix=" + prefix,
                "--herald.redis.reconnect-max-delay=200ms",
                "--herald.publish.retry-after=3s",
                "--herald.apps[0].id=" + CACHED_APP, "--herald.apps[0].key=" + CACHED_KEY,
                "--herald.apps[0].secret=" + CACHED_SECRET,
                "--herald.apps[1].id=" + OTHER_APP, "--herald.apps[1].key=" + OTHER_KEY,
                "--herald.apps[1].secret=" + OTHER_SECRET);
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        cached = ChannelQueryApiTest.sdk(CACHED_APP, CACHED_KEY, CACHED_SECRET, port);
        other = ChannelQueryApiTest.sdk(OTHER_APP, OTHER_KEY, OTHER_SECRET, port);
        otherApi = new SignedRequests("http://127.0.0.1:" + port, OTHER_KEY, OTHER_SECRET);
        probe = new ChannelProbe(List.of(shard.uri()), prefix);
        ShardOutageTest.awaitShardsUp(context);
    }

    @AfterEach
    void stop() throws Exception {
        for (Pusher pusher : new Pusher[] { cached, other }) {
            if (pusher != null) {
                pusher.close();
            }
        }
        if (probe != null) {
            probe.close();
        }
        if (context != null) {
            context.close();
        }
        shard.close();
        state.close();
    }

    @Test
    void cachedAppsKeepWorkingOthersAnswer503WithRetryAfterAndAllHealsWhenTheStateRedisReturns() {
        probe.subscribe(CACHED_APP, "news");
        assertOk(cached.trigger("news", "before", Map.of("n", 0)));
        assertThat(ChannelProbe.frame(probe.next())).contains("\"before\"");

        state.stop();
        RedisConnections redis = context.getBean(RedisConnections.class);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> !redis.health().get("state").up());

        // The cached app needs only its shard: every endpoint answers as usual.
        assertOk(cached.trigger("news", "during", Map.of("n", 1)));
        assertThat(ChannelProbe.frame(probe.next())).contains("\"during\"");
        assertOk(cached.trigger(List.of(new Event("news", "batched", Map.of("n", 2)))));
        assertThat(ChannelProbe.frame(probe.next())).contains("\"batched\"");
        assertOk(cached.get("/channels"));
        assertOk(cached.get("/channels/news"));
        assertOk(cached.get("/channels/presence-room/users"));
        assertOk(cached.post("/users/u-1/terminate_connections", "{}"));

        // An app that is not cached cannot be looked up: 503 and Retry-After, with Herald's body.
        for (Result result : List.of(other.trigger("news", "e", Map.of()),
                other.trigger(List.of(new Event("news", "e", Map.of()))),
                other.get("/channels"),
                other.get("/channels/news"),
                other.get("/channels/presence-room/users"),
                other.post("/users/u-1/terminate_connections", "{}"))) {
            assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(503);
            assertThat(result.getMessage()).contains("temporarily unavailable").doesNotContain("redis://")
                    .doesNotContain(String.valueOf(state.port()));
        }
        EntityExchangeResult<byte[]> refused = otherApi.post("/apps/" + OTHER_APP + "/events",
                "{\"name\":\"e\",\"channel\":\"news\",\"data\":\"d\"}").expectBody().returnResult();
        assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isEqualTo("3");
        expectError(otherApi.post("/apps/" + OTHER_APP + "/events", "{\"name\":\"e\",\"channel\":\"news\",\"data\":\"d\"}"),
                503, "The state Redis is temporarily unavailable");

        // Back, with its data: the other app is served again, no restart needed.
        long restarted = System.nanoTime();
        state.restart();
        probe.subscribe(OTHER_APP, "news");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
                .until(() -> other.trigger("news", "after", Map.of()).getHttpStatus() == 200);
        System.out.printf("State Redis back: an uncached app served again %d ms after its restart%n",
                Duration.ofNanos(System.nanoTime() - restarted).toMillis());
        assertThat(ChannelProbe.frame(probe.next())).contains("\"after\"");
        assertOk(cached.trigger("news", "after", Map.of("n", 3)));
        assertOk(other.get("/channels"));
    }

    private static void assertOk(Result result) {
        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
    }
}
