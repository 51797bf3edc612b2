package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.core.shard.ShardRouter;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.edge.EdgeServiceApplication;
import io.herald.publish.PublishServiceApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every channel feature across a cluster, with the official libraries on both sides:
 * auth-service (own process) holding the apps in the state Redis; two edges in this JVM and one
 * in its own process (killed mid-test), none holding secrets (they ask auth-service); a publish
 * service with the webhook dispatcher; two Redis shards and a state Redis; and the tenant's own
 * server (channel authorization endpoint, user authentication endpoint, webhook receiver).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFeaturesTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";
    static final String INTERNAL_TOKEN = "e2e-internal-token-0123456789abcdef";
    static final String OTHER_APP = "other-app";
    static final String OTHER_KEY = "other-key";

    static final List<RedisServer> redis = new ArrayList<>();
    static final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    static TenantServer tenant;
    static ServiceProcess auth;
    static ServiceProcess crashingEdge;
    static int edgeA;
    static int edgeB;
    static Pusher publisher;
    static Map<String, Object> common;

    @BeforeAll
    static void start() throws Exception {
        tenant = new TenantServer(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
        for (int i = 0; i < 3; i++) {
            redis.add(RedisServer.start());
        }
        Map<String, Object> apps = new HashMap<>();
        apps.put("herald.apps[0].id", Cluster.APP_ID);
        apps.put("herald.apps[0].key", Cluster.KEY);
        apps.put("herald.apps[0].secret", Cluster.SECRET);
        apps.put("herald.apps[0].client-events", true);
        apps.put("herald.apps[0].watchlist-events", true);
        apps.put("herald.apps[0].webhooks[0].url", tenant.url("/webhooks"));
        apps.put("herald.apps[1].id", OTHER_APP);
        apps.put("herald.apps[1].key", OTHER_KEY);
        apps.put("herald.apps[1].secret", "other-secret-0123456789");
        common = new HashMap<>();
        common.put("herald.redis.shards[0]", redis.get(0).uri().toString());
        common.put("herald.redis.shards[1]", redis.get(1).uri().toString());
        common.put("herald.redis.state", redis.get(2).uri().toString());
        common.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        common.put("herald.state.heartbeat-interval", "1s");
        common.put("herald.state.node-timeout", "3s");
        common.put("herald.auth.internal-token", INTERNAL_TOKEN);

        Map<String, Object> authProps = new HashMap<>(common);
        authProps.putAll(apps);
        authProps.put("herald.auth.admin-token", ADMIN_TOKEN);
        auth = new ServiceProcess(ServiceProcess.AUTH, authProps);

        Map<String, Object> edgeProps = new HashMap<>(common);
        edgeProps.put("herald.auth.url", "http://127.0.0.1:" + auth.port);
        edgeProps.put("herald.auth.timeout", "3s");
        edgeA = startEdge(edgeProps);
        edgeB = startEdge(edgeProps);
        crashingEdge = new ServiceProcess(ServiceProcess.EDGE, edgeProps);

        Map<String, Object> publishProps = new HashMap<>(common);
        publishProps.putAll(apps);
        publishProps.put("server.port", 0);
        ConfigurableApplicationContext publish = PublishServiceApplication.builder().properties(publishProps)
                .initializers(ServerTesting::ownEventLoops).run();
        contexts.add(publish);
        publisher = new Pusher(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
        publisher.setHost("127.0.0.1:" + ServerTesting.port(publish));
        publisher.setEncrypted(false);
    }

    static int startEdge(Map<String, Object> props) {
        Map<String, Object> all = new HashMap<>(props);
        all.put("server.port", 0);
        ConfigurableApplicationContext edge = new SpringApplicationBuilder(EdgeServiceApplication.class)
                .properties(EdgeServiceApplication.DEFAULTS).properties(all)
                .initializers(ServerTesting::ownEventLoops).run();
        contexts.add(edge);
        return ServerTesting.port(edge);
    }

    @AfterAll
    static void stop() throws Exception {
        if (publisher != null) {
            publisher.close();
        }
        contexts.forEach(ConfigurableApplicationContext::close);
        if (crashingEdge != null) {
            crashingEdge.close();
        }
        if (auth != null) {
            auth.close();
        }
        redis.forEach(RedisServer::close);
        if (tenant != null) {
            tenant.close();
        }
    }

    static JsonNode get(String path, Map<String, String> params) {
        Result result = publisher.get(path, params);
        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
        return JSON.readTree(result.getMessage());
    }

    static void awaitWebhook(String entry) {
        await().atMost(Duration.ofSeconds(30)).until(() -> tenant.webhookEvents.contains(entry));
    }

    /** A presence channel on each shard, to prove presence works on both. */
    static String presenceChannelOn(int shard) {
        ShardRouter router = new ShardRouter(2);
        return IntStream.range(0, 1000).mapToObj(i -> "presence-room-" + i)
                .filter(c -> router.shardOf(Cluster.APP_ID, c) == shard).findFirst().orElseThrow();
    }

    @Test
    void presenceClientEventsQueriesAndWebhooksAcrossEdges() throws Exception {
        for (int shard = 0; shard < 2; shard++) {
            String room = presenceChannelOn(shard);
            try (Member alice = new Member("alice", edgeA, tenant); Member bob = new Member("bob", edgeB, tenant)) {
                assertThat(alice.joinPresence(room)).containsExactly("alice");
                assertThat(bob.joinPresence(room)).containsExactlyInAnyOrder("alice", "bob");
                assertThat(Member.next(alice.presence)).isEqualTo("+bob");

                JsonNode users = get("/channels/" + room + "/users", Map.of());
                assertThat(users.get("users").findValuesAsString("id")).containsExactlyInAnyOrder("alice", "bob");
                JsonNode channels = get("/channels", Map.of("filter_by_prefix", "presence-", "info", "user_count"));
                assertThat(channels.get("channels").get(room).get("user_count").asInt()).isEqualTo(2);

                bob.close();
                assertThat(Member.next(alice.presence)).isEqualTo("-bob");
                awaitWebhook("channel_occupied:" + room);
                awaitWebhook("member_added:" + room + ":alice");
                awaitWebhook("member_added:" + room + ":bob");
                awaitWebhook("member_removed:" + room + ":bob");
            }
            awaitWebhook("channel_vacated:" + room);
        }

        try (Member alice = new Member("alice", edgeA, tenant); Member bob = new Member("bob", edgeB, tenant)) {
            alice.joinPrivate("private-chat", "client-typing");
            bob.joinPrivate("private-chat", "client-typing");
            alice.pusher.getPrivateChannel("private-chat").trigger("client-typing", "{\"from\":\"alice\"}");
            var typing = Member.next(bob.events);
            assertThat(typing.getEventName()).isEqualTo("client-typing");
            assertThat(typing.getData()).isEqualTo("{\"from\":\"alice\"}");
            awaitWebhook("client_event:private-chat:client-typing");
        }
        assertThat(tenant.badSignatures).isEmpty();
    }

    @Test
    void signedInUsersGetServerToUserEventsAndAreTerminatedOnEveryEdge() throws Exception {
        try (Member onA = new Member("carol", edgeA, tenant, true); Member onB = new Member("carol", edgeB, tenant, true)) {
            var notices = new java.util.concurrent.LinkedBlockingQueue<String>();
            onA.pusher.user().bind("notice", e -> notices.add("A " + e.getData()));
            onB.pusher.user().bind("notice", e -> notices.add("B " + e.getData()));
            // Publish until both connections have their user channel in place.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                Result r = publisher.post("/events",
                        "{\"name\":\"notice\",\"channel\":\"#server-to-user-carol\",\"data\":\"{\\\"n\\\":1}\"}");
                assertThat(r.getHttpStatus()).as(r.getMessage()).isEqualTo(200);
                return notices.stream().anyMatch(n -> n.startsWith("A")) && notices.stream().anyMatch(n -> n.startsWith("B"));
            });
            Result terminated = publisher.post("/users/carol/terminate_connections", "{}");
            assertThat(terminated.getHttpStatus()).as(terminated.getMessage()).isEqualTo(200);
            onA.disconnected.get(30, java.util.concurrent.TimeUnit.SECONDS);
            onB.disconnected.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(Member.next(onA.errors)).startsWith("4009");
        }
    }

    @Test
    void watchlistEventsReachWatchersOnOtherEdges() throws Exception {
        try (io.herald.core.testing.RawClient walt = io.herald.core.testing.RawClient
                .connect("ws://127.0.0.1:" + edgeA + "/app/" + Cluster.KEY + "?protocol=7")) {
            walt.signIn(walt.established(), Cluster.KEY, Cluster.SECRET, "{\"id\":\"walt\",\"watchlist\":[\"wren\"]}");
            assertThat(walt.nextWatchlistEvents()).containsExactly("offline=[wren]");
            // wren signs in with pusher-java-client on the other edge.
            try (Member wren = new Member("wren", edgeB, tenant, true)) {
                assertThat(walt.nextWatchlistEvents()).containsExactly("online=[wren]");
            }
            assertThat(walt.nextWatchlistEvents()).containsExactly("offline=[wren]");
        }
    }

    @Test
    void aKilledEdgesPresenceMembersAreRemovedEverywhere() throws Exception {
        String room = "presence-crash";
        try (Member alice = new Member("alice", edgeA, tenant);
                Member dave = new Member("dave", crashingEdge.port, tenant)) {
            alice.joinPresence(room);
            assertThat(dave.joinPresence(room)).containsExactlyInAnyOrder("alice", "dave");
            assertThat(Member.next(alice.presence)).isEqualTo("+dave");
            crashingEdge.kill();
            assertThat(Member.next(alice.presence)).isEqualTo("-dave");
            JsonNode users = get("/channels/" + room + "/users", Map.of());
            assertThat(users.get("users").findValuesAsString("id")).containsExactly("alice");
            awaitWebhook("member_removed:" + room + ":dave");
        }
    }

    @Test
    void cacheChannelsReplayTheLastEventAcrossEdges() throws Exception {
        Result published = publisher.trigger("cache-quotes", "quote", Map.of("eur", 3));
        assertThat(published.getHttpStatus()).isEqualTo(200);
        try (Member late = new Member("erin", edgeB, tenant)) {
            var events = new java.util.concurrent.LinkedBlockingQueue<com.pusher.client.channel.PusherEvent>();
            late.pusher.subscribe("cache-quotes", new com.pusher.client.channel.ChannelEventListener() {
                @Override
                public void onSubscriptionSucceeded(String channelName) {
                }

                @Override
                public void onEvent(com.pusher.client.channel.PusherEvent event) {
                    events.add(event);
                }
            }, "quote");
            var quote = Member.next(events);
            assertThat(quote.getData()).isEqualTo("{\"eur\":3}");
        }
        try (Member miss = new Member("frank", edgeA, tenant)) {
            miss.pusher.subscribe("cache-empty");
            awaitWebhook("cache_miss:cache-empty");
        }
    }

    static int admin(String method, String path) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + auth.port + path))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }

    @Test
    void disablingAnAppThroughTheAdminApiClosesItsConnectionsWith4003() throws Exception {
        io.herald.core.testing.OfficialClient client = io.herald.core.testing.OfficialClient.connect(OTHER_KEY, edgeB);
        var errors = client.errors;
        try {
            assertThat(admin("POST", "/admin/apps/" + OTHER_APP + "/disable")).isEqualTo(200);
            assertThat(Member.next(errors)).startsWith("4003");
        }
        finally {
            client.close();
            assertThat(admin("POST", "/admin/apps/" + OTHER_APP + "/enable")).isEqualTo(200);
        }
    }

    /** Last: it stops auth-service. */
    @Test
    @Order(Integer.MAX_VALUE)
    void withAuthServiceDownPrivateChannelsGetARetryableErrorAndPublicChannelsWork() throws Exception {
        try (Member grace = new Member("grace", edgeA, tenant)) {
            auth.kill();
            var events = new java.util.concurrent.LinkedBlockingQueue<com.pusher.client.channel.PusherEvent>();
            grace.pusher.subscribePrivate("private-while-down", new com.pusher.client.channel.PrivateChannelEventListener() {
                @Override
                public void onAuthenticationFailure(String message, Exception e) {
                }

                @Override
                public void onSubscriptionSucceeded(String channelName) {
                    events.add(new com.pusher.client.channel.PusherEvent("unexpected-success", channelName, null, "{}"));
                }

                @Override
                public void onEvent(com.pusher.client.channel.PusherEvent event) {
                    events.add(event);
                }
            }, "pusher:subscription_error");
            var refusal = Member.next(events);
            assertThat(refusal.getEventName()).isEqualTo("pusher:subscription_error");
            assertThat(refusal.getData()).contains("503");

            var publicEvents = new java.util.concurrent.LinkedBlockingQueue<com.pusher.client.channel.PusherEvent>();
            var subscribed = new java.util.concurrent.CompletableFuture<Void>();
            grace.pusher.subscribe("public-while-down", new com.pusher.client.channel.ChannelEventListener() {
                @Override
                public void onSubscriptionSucceeded(String channelName) {
                    subscribed.complete(null);
                }

                @Override
                public void onEvent(com.pusher.client.channel.PusherEvent event) {
                    publicEvents.add(event);
                }
            }, "news");
            subscribed.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(publisher.trigger("public-while-down", "news", Map.of("ok", true)).getHttpStatus()).isEqualTo(200);
            assertThat(Member.next(publicEvents).getData()).isEqualTo("{\"ok\":true}");
        }
    }
}
