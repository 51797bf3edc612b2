package io.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.core.broker.ChannelKey;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.state.ChannelCache;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.state.redis.RedisChannelState;
import io.herald.core.testing.RedisServer;
import io.herald.publish.testing.SignedRequests;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The channel queries and publish {@code info} end to end: the real service on a random port over
 * two real Redis shards, channel state written through the {@link ChannelState} bean as edge
 * nodes would, and requests from pusher-http-java ({@code pusher.get}) or signed by hand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChannelQueryApiTest {

    static final Duration TIMEOUT = Duration.ofSeconds(15);
    static final String APP = "app-1";
    static final String KEY = "key-1";
    static final String SECRET = "secret-1-a8f5f167f44f4964";
    /** An app without the subscription count feature. */
    static final String PLAIN_APP = "plain";
    static final String PLAIN_KEY = "key-plain";
    static final String PLAIN_SECRET = "secret-plain-e4da3b7fbbce2345";

    RedisServer shard0;
    RedisServer shard1;
    ConfigurableApplicationContext context;
    ChannelState state;
    Pusher pusher;
    Pusher plainPusher;
    SignedRequests api;
    SignedRequests plainApi;
    String baseUrl;

    @BeforeAll
    void start() {
        shard0 = RedisServer.start();
        shard1 = RedisServer.start();
        context = PublishServiceApplication.builder().run(
                "--server.port=0",
                "--herald.redis.shards[0]=" + shard0.uri(),
                "--herald.redis.shards[1]=" + shard1.uri(),
                "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                "--herald.apps[0].id=" + APP, "--herald.apps[0].key=" + KEY, "--herald.apps[0].secret=" + SECRET,
                "--herald.apps[0].subscription-count=true",
                "--herald.apps[1].id=" + PLAIN_APP, "--herald.apps[1].key=" + PLAIN_KEY,
                "--herald.apps[1].secret=" + PLAIN_SECRET);
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        baseUrl = "http://127.0.0.1:" + port;
        pusher = sdk(APP, KEY, SECRET, port);
        plainPusher = sdk(PLAIN_APP, PLAIN_KEY, PLAIN_SECRET, port);
        api = new SignedRequests(baseUrl, KEY, SECRET);
        plainApi = new SignedRequests(baseUrl, PLAIN_KEY, PLAIN_SECRET);
        state = context.getBean(ChannelState.class);
        assertThat(state).isInstanceOf(RedisChannelState.class);
        ShardOutageTest.awaitShardsUp(context);
        await().atMost(TIMEOUT).until(() -> !((RedisChannelState) state).shardHealth().contains(false));
    }

    static Pusher sdk(String appId, String key, String secret, int port) {
        Pusher pusher = new Pusher(appId, key, secret);
        pusher.setHost("127.0.0.1:" + port);
        pusher.setEncrypted(false);
        return pusher;
    }

    @AfterAll
    void stop() throws Exception {
        for (Pusher p : new Pusher[] { pusher, plainPusher }) {
            if (p != null) {
                p.close();
            }
        }
        if (context != null) {
            context.close();
        }
        for (RedisServer server : new RedisServer[] { shard0, shard1 }) {
            if (server != null) {
                server.close();
            }
        }
    }

    private void join(String app, String channel, String node, String socket, String user) {
        state.join(new ChannelKey(app, channel), node, socket, user == null ? null : new PresenceMember(user, "{}"))
                .block(TIMEOUT);
    }

    private static JsonNode json(String body) {
        return PusherCodec.json().readTree(body);
    }

    private static void assertJson(Result result, String expected) {
        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
        assertThat(json(result.getMessage())).isEqualTo(json(expected));
    }

    private static void expectError(WebTestClient.ResponseSpec response, int status, String messagePart) {
        response.expectStatus().isEqualTo(status)
                .expectBody(String.class)
                .value(body -> {
                    JsonNode node = json(body);
                    assertThat(node.get("status").asInt()).isEqualTo(status);
                    assertThat(node.get("error").asString()).contains(messagePart);
                });
    }

    // --- GET /apps/{id}/channels ------------------------------------------------------------------

    @Test
    void theSdkListsOccupiedChannelsByPrefixWithUserAndSubscriptionCounts() {
        join(APP, "presence-lobby-1", "node-a", "1.1", "u1");
        join(APP, "presence-lobby-1", "node-b", "2.1", "u1");
        join(APP, "presence-lobby-1", "node-b", "2.2", "u2");
        join(APP, "presence-lobby-2", "node-a", "1.1", "u3");
        join(APP, "lobby-chat", "node-a", "1.1", null);
        join(PLAIN_APP, "presence-lobby-9", "node-a", "1.1", "u9");

        assertJson(pusher.get("/channels", Map.of("filter_by_prefix", "presence-lobby-", "info", "user_count")),
                "{\"channels\":{\"presence-lobby-1\":{\"user_count\":2},\"presence-lobby-2\":{\"user_count\":1}}}");
        assertJson(pusher.get("/channels", Map.of("filter_by_prefix", "presence-lobby-")),
                "{\"channels\":{\"presence-lobby-1\":{},\"presence-lobby-2\":{}}}");
        assertJson(pusher.get("/channels", Map.of("filter_by_prefix", "presence-lobby-",
                "info", "user_count,subscription_count")),
                "{\"channels\":{\"presence-lobby-1\":{\"user_count\":2,\"subscription_count\":3},"
                        + "\"presence-lobby-2\":{\"user_count\":1,\"subscription_count\":1}}}");
        assertJson(pusher.get("/channels", Map.of("filter_by_prefix", "lobby-", "info", "subscription_count")),
                "{\"channels\":{\"lobby-chat\":{\"subscription_count\":1}}}");

        Result all = pusher.get("/channels");
        assertThat(all.getHttpStatus()).isEqualTo(200);
        assertThat(json(all.getMessage()).get("channels").propertyNames())
                .contains("presence-lobby-1", "presence-lobby-2", "lobby-chat").doesNotContain("presence-lobby-9");
        assertJson(plainPusher.get("/channels", Map.of("filter_by_prefix", "presence-lobby-", "info", "user_count")),
                "{\"channels\":{\"presence-lobby-9\":{\"user_count\":1}}}");
    }

    @Test
    void heraldsOwnOnlineRecordsAreNotListed() {
        // A signed-in user's online record (watchlist events) is a presence record of a '#' channel.
        join(APP, "#online-u1", "node-a", "1.1", "u1");
        join(APP, "visible", "node-a", "1.1", null);

        Result all = pusher.get("/channels");
        assertThat(all.getHttpStatus()).isEqualTo(200);
        assertThat(json(all.getMessage()).get("channels").propertyNames()).contains("visible")
                .noneMatch(name -> name.startsWith("#"));
    }

    @Test
    void anAppWithNoOccupiedChannelsGetsAnEmptyList() {
        assertJson(pusher.get("/channels", Map.of("filter_by_prefix", "nothing-here-")), "{\"channels\":{}}");
    }

    @Test
    void theChannelListRefusesWhatPusherRefuses() {
        String path = "/apps/" + APP + "/channels";
        expectError(api.get(path, Map.of("info", "user_count")), 400, "filter_by_prefix=presence-");
        expectError(api.get(path, Map.of("info", "user_count", "filter_by_prefix", "private-")), 400,
                "only for presence channels");
        expectError(api.get(path, Map.of("info", "members")), 400, "Unknown info attribute \"members\"");
        expectError(plainApi.get("/apps/" + PLAIN_APP + "/channels", Map.of("info", "subscription_count")), 400,
                "subscription_count is not enabled");
        assertThat(plainPusher.get("/channels", Map.of("info", "subscription_count")).getHttpStatus()).isEqualTo(400);
    }

    // --- GET /apps/{id}/channels/{name} -----------------------------------------------------------

    @Test
    void theSdkGetsOneChannelsOccupancyAndCounts() {
        join(APP, "presence-one", "node-a", "1.1", "u1");
        join(APP, "presence-one", "node-b", "2.1", "u1");
        join(APP, "presence-one", "node-b", "2.2", "u2");
        join(APP, "private-one", "node-a", "1.1", null);

        assertJson(pusher.get("/channels/presence-one", Map.of("info", "user_count,subscription_count")),
                "{\"occupied\":true,\"user_count\":2,\"subscription_count\":3}");
        assertJson(pusher.get("/channels/presence-one"), "{\"occupied\":true}");
        assertJson(pusher.get("/channels/private-one", Map.of("info", "subscription_count")),
                "{\"occupied\":true,\"subscription_count\":1}");
        assertJson(pusher.get("/channels/private-none", Map.of("info", "subscription_count")),
                "{\"occupied\":false,\"subscription_count\":0}");
        assertJson(pusher.get("/channels/presence-none", Map.of("info", "user_count")),
                "{\"occupied\":false,\"user_count\":0}");
        assertJson(plainPusher.get("/channels/presence-one"), "{\"occupied\":false}");
    }

    @Test
    void oneChannelRefusesWhatPusherRefuses() {
        expectError(api.get("/apps/" + APP + "/channels/private-one", Map.of("info", "user_count")), 400,
                "only for presence channels");
        expectError(plainApi.get("/apps/" + PLAIN_APP + "/channels/presence-one", Map.of("info", "subscription_count")),
                400, "subscription_count is not enabled");
        expectError(api.get("/apps/" + APP + "/channels/presence-one", Map.of("info", "occupied,x")), 400,
                "Unknown info attribute");
        expectError(api.get("/apps/" + APP + "/channels/" + "c".repeat(165), Map.of()), 400, "too long");
        expectError(api.get("/apps/" + APP + "/channels/bad%25name", Map.of()), 400, "invalid character");
    }

    // --- GET /apps/{id}/channels/{name}/users -----------------------------------------------------

    @Test
    void theSdkListsThePresenceMembersOnce() {
        join(APP, "presence-users", "node-a", "1.1", "u1");
        join(APP, "presence-users", "node-b", "2.1", "u1");
        join(APP, "presence-users", "node-b", "2.2", "u2");

        assertJson(pusher.get("/channels/presence-users/users"), "{\"users\":[{\"id\":\"u1\"},{\"id\":\"u2\"}]}");
        assertJson(pusher.get("/channels/presence-empty/users"), "{\"users\":[]}");

        state.leave(new ChannelKey(APP, "presence-users"), "node-b", "2.2", "u2").block(TIMEOUT);
        assertJson(pusher.get("/channels/presence-users/users"), "{\"users\":[{\"id\":\"u1\"}]}");
    }

    @Test
    void usersAreOnlyForPresenceChannels() {
        expectError(api.get("/apps/" + APP + "/channels/private-one/users", Map.of()), 400,
                "only be listed for presence channels");
        expectError(api.get("/apps/" + APP + "/channels/cache-one/users", Map.of()), 400,
                "only be listed for presence channels");
        assertThat(pusher.get("/channels/my-channel/users").getHttpStatus()).isEqualTo(400);
    }

    // --- what every query shares --------------------------------------------------------------------

    @Test
    void queriesAreSignedAndGetOnly() {
        String path = "/apps/" + APP + "/channels";
        expectError(api.client().get().uri(api.uri(path, Map.of())).exchange(), 401, "");
        expectError(new SignedRequests(baseUrl, KEY, "wrong-secret").get(path, Map.of()), 401,
                "signature");
        expectError(new SignedRequests(baseUrl, "k", "s").get("/apps/unknown/channels", Map.of()), 404,
                "Unknown app");
        expectError(api.post(path, "{}"), 405, "use GET");
        expectError(api.post(path + "/presence-x/users", "{}"), 405, "use GET");
    }

    // --- info on publish ------------------------------------------------------------------------------

    @Test
    void publishWithInfoAnswersTheRealCounts() {
        join(APP, "presence-info", "node-a", "1.1", "u1");
        join(APP, "presence-info", "node-b", "2.1", "u1");
        join(APP, "presence-info", "node-b", "2.2", "u2");
        join(APP, "info-public", "node-a", "1.1", null);

        api.post("/apps/" + APP + "/events",
                "{\"name\":\"e\",\"channels\":[\"presence-info\",\"info-public\",\"info-empty\"],\"data\":\"d\","
                        + "\"info\":\"subscription_count\"}")
                .expectStatus().isOk().expectBody(String.class).value(body -> assertThat(json(body)).isEqualTo(json(
                        "{\"channels\":{\"presence-info\":{\"subscription_count\":3},"
                                + "\"info-public\":{\"subscription_count\":1},\"info-empty\":{\"subscription_count\":0}}}")));
        api.post("/apps/" + APP + "/events",
                "{\"name\":\"e\",\"channel\":\"presence-info\",\"data\":\"d\",\"info\":\"user_count,subscription_count\"}")
                .expectStatus().isOk().expectBody(String.class).value(body -> assertThat(json(body)).isEqualTo(json(
                        "{\"channels\":{\"presence-info\":{\"user_count\":2,\"subscription_count\":3}}}")));
        api.post("/apps/" + APP + "/batch_events",
                "{\"batch\":[{\"name\":\"e\",\"channel\":\"presence-info\",\"data\":\"d\",\"info\":\"user_count\"},"
                        + "{\"name\":\"e\",\"channel\":\"info-public\",\"data\":\"d\"},"
                        + "{\"name\":\"e\",\"channel\":\"info-public\",\"data\":\"d\",\"info\":\"subscription_count\"}]}")
                .expectStatus().isOk().expectBody(String.class).value(body -> assertThat(json(body)).isEqualTo(json(
                        "{\"batch\":[{\"user_count\":2},{},{\"subscription_count\":1}]}")));
        api.post("/apps/" + APP + "/events", "{\"name\":\"e\",\"channel\":\"presence-info\",\"data\":\"d\"}")
                .expectStatus().isOk().expectBody(String.class).isEqualTo("{}");
    }

    // --- cache channels -------------------------------------------------------------------------------

    @Test
    void anEventToACacheChannelIsKeptAsItsLastEvent() {
        ChannelCache cache = context.getBean(ChannelCache.class);
        for (String channel : new String[] { "cache-news", "private-cache-news", "presence-cache-news",
                "private-encrypted-cache-news" }) {
            // signed by hand: the SDK would encrypt for private-encrypted- channels
            for (String event : new String[] { "first", "second" }) {
                api.post("/apps/" + APP + "/events", "{\"name\":\"" + event + "\",\"channel\":\"" + channel
                        + "\",\"data\":\"{\\\"n\\\":2}\"}").expectStatus().isOk();
            }

            byte[] last = cache.last(new ChannelKey(APP, channel)).block(TIMEOUT);
            assertThat(last).as(channel).isNotNull();
            assertThat(new String(last, StandardCharsets.UTF_8)).isEqualTo(
                    "{\"event\":\"second\",\"channel\":\"" + channel + "\",\"data\":\"{\\\"n\\\":2}\"}");
        }
        assertThat(pusher.trigger("news", "e", Map.of("n", 1)).getHttpStatus()).isEqualTo(200);
        assertThat(cache.last(new ChannelKey(APP, "news")).block(TIMEOUT)).as("not a cache channel").isNull();
    }
}
