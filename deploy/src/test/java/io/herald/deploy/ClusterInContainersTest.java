package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.client.channel.PrivateChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.client.connection.ConnectionState;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.PresenceUser;
import com.pusher.rest.data.Result;
import com.pusher.rest.data.Validity;
import com.sun.net.httpserver.HttpServer;
import io.herald.core.shard.ShardRouter;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.PresenceRecorder;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole cluster in containers: Herald's images (built with {@code docker/build-images.sh}, or
 * taken from the layer cache) and {@code docker/compose.yaml} as written, on the container engine,
 * driven through the gateway's published port only with the official Pusher SDKs —
 * pusher-java-client connecting, pusher-http-java publishing and signing channel authorizations
 * ({@code authenticate}). Apps are created through the admin API; the test's own HTTP server
 * receives their webhooks from the containers ({@code host.containers.internal}).
 *
 * <p>Skipped, saying why, when no engine answers; {@code .ci/run} sets
 * {@code HERALD_REQUIRE_CONTAINERS=1}, which makes that a failure. docs/deploy-testing.md.
 */
@ExtendWith(ContainerEngine.Required.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterInContainersTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration DEADLINE = Duration.ofSeconds(60);
    /**
     * The images' tag (HERALD_IMAGE_TAG of build-images.sh and compose.yaml), one per checkout, so
     * that checkouts sharing an engine never run each other's builds.
     */
    static final String IMAGE_TAG = "test-" + Integer.toHexString(ROOT.toString().hashCode());

    static ComposeCluster cluster;
    static HttpServer receiver;
    static final List<String> webhooks = new CopyOnWriteArrayList<>();
    static final List<String> badWebhooks = new CopyOnWriteArrayList<>();
    static App main;
    static long startedAt;

    /** An app created through the admin API: its id, key and secret, and pusher-http-java pointed at the gateway. */
    record App(String id, String key, String secret, Pusher api) {
    }

    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // the images' build and 9 JVMs starting (the suite's default is 5 min)
    static void start() throws Exception {
        startedAt = System.nanoTime();
        ContainerEngine.removeLeftovers();
        long t = System.nanoTime();
        ContainerEngine.buildImages(ROOT, IMAGE_TAG);
        long built = System.nanoTime();
        cluster = new ComposeCluster(ROOT.resolve("docker/compose.yaml"), IMAGE_TAG);
        cluster.start();
        long up = System.nanoTime();
        receiver = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(2));
        receiver.createContext("/webhooks", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String key = exchange.getRequestHeaders().getFirst("X-Pusher-Key");
            String signature = exchange.getRequestHeaders().getFirst("X-Pusher-Signature");
            App app = main;
            if (app != null && app.api.validateWebhookSignature(key, signature, body) == Validity.VALID) {
                for (JsonNode event : JSON.readTree(body).get("events")) {
                    webhooks.add(event.get("name").asString() + ":" + event.get("channel").asString()
                            + (event.has("user_id") ? ":" + event.get("user_id").asString() : ""));
                }
                exchange.sendResponseHeaders(200, -1);
            }
            else {
                badWebhooks.add(key + " " + signature + " " + body);
                exchange.sendResponseHeaders(401, -1);
            }
            exchange.close();
        });
        receiver.start();
        // The containers reach the host as host.containers.internal (podman; Docker: host.docker.internal).
        main = createApp("cluster-main", Map.of("webhooks", List.of(Map.of("url",
                "http://host.containers.internal:" + receiver.getAddress().getPort() + "/webhooks"))));
        System.out.printf("ClusterInContainersTest: images %.1f s, compose up until the gateway is healthy %.1f s%n",
                (built - t) / 1e9, (up - built) / 1e9);
    }

    @AfterAll
    static void stop() throws Exception {
        if (main != null) {
            main.api.close();
        }
        if (cluster != null) {
            // Every container's log, for a failure seen in CI.
            cluster.saveLogs(ROOT.resolve("deploy/target/cluster-logs"));
            cluster.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        if (startedAt != 0) {
            System.out.printf("ClusterInContainersTest: %.1f s in all%n", (System.nanoTime() - startedAt) / 1e9);
        }
    }

    /** Creates an app through the gateway's admin API and waits until the gateway serves it. */
    static App createApp(String name, Map<String, Object> fields) throws Exception {
        Map<String, Object> body = new java.util.LinkedHashMap<>(fields);
        body.put("name", name);
        HttpResponse<String> created = cluster.admin("/admin/apps", JSON.writeValueAsString(body));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode app = JSON.readTree(created.body());
        Pusher api = new Pusher(app.get("id").asString(), app.get("key").asString(), app.get("secret").asString());
        api.setHost("127.0.0.1:" + cluster.gatewayPort);
        api.setEncrypted(false);
        App result = new App(app.get("id").asString(), app.get("key").asString(), app.get("secret").asString(), api);
        // Publish nodes learn of the app through the registry's change announcements (the first
        // app also waits for the publish nodes' warm-up: the gateway routes to ready ones only).
        await().atMost(Duration.ofMinutes(3)).until(() -> result.api.get("/channels").getHttpStatus() == 200);
        return result;
    }

    static OfficialClient connect(App app, String user) throws Exception {
        return OfficialClient.connect(app.key, cluster.gatewayPort, options -> options.setChannelAuthorizer(
                (channel, socketId) -> channel.startsWith("presence-")
                        ? app.api.authenticate(socketId, channel, new PresenceUser(user, Map.of("name", user)))
                        : app.api.authenticate(socketId, channel)));
    }

    static void published(Result result) {
        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
    }

    @Test
    @Order(1)
    void publicPrivateAndPresenceChannelsThroughTheGateway() throws Exception {
        try (OfficialClient alice = connect(main, "alice"); OfficialClient bob = connect(main, "bob")) {
            ChannelRecorder news = new ChannelRecorder();
            alice.pusher.subscribe("news", news, "headline");
            news.subscribed.get(20, TimeUnit.SECONDS);
            published(main.api.trigger("news", "headline", Map.of("text", "public")));
            PusherEvent headline = OfficialClient.next(news.events);
            assertThat(headline.getEventName()).isEqualTo("headline");
            assertThat(headline.getData()).isEqualTo("{\"text\":\"public\"}");

            BlockingQueue<PusherEvent> secrets = new LinkedBlockingQueue<>();
            CompletableFuture<Void> privateJoined = new CompletableFuture<>();
            alice.pusher.subscribePrivate("private-room", new PrivateChannelEventListener() {
                @Override
                public void onAuthenticationFailure(String message, Exception e) {
                    privateJoined.completeExceptionally(new AssertionError(message, e));
                }

                @Override
                public void onSubscriptionSucceeded(String channelName) {
                    privateJoined.complete(null);
                }

                @Override
                public void onEvent(PusherEvent event) {
                    secrets.add(event);
                }
            }, "note");
            privateJoined.get(20, TimeUnit.SECONDS);
            published(main.api.trigger("private-room", "note", Map.of("text", "private")));
            assertThat(OfficialClient.next(secrets).getData()).isEqualTo("{\"text\":\"private\"}");

            PresenceRecorder alicePresence = new PresenceRecorder();
            alice.pusher.subscribePresence("presence-lobby", alicePresence, "hello");
            assertThat(ids(alicePresence.members.get(20, TimeUnit.SECONDS))).containsExactly("alice");
            PresenceRecorder bobPresence = new PresenceRecorder();
            bob.pusher.subscribePresence("presence-lobby", bobPresence, "hello");
            assertThat(ids(bobPresence.members.get(20, TimeUnit.SECONDS))).containsExactlyInAnyOrder("alice", "bob");
            assertThat(OfficialClient.next(alicePresence.changes)).isEqualTo("+bob");
            published(main.api.trigger("presence-lobby", "hello", Map.of("text", "presence")));
            assertThat(OfficialClient.next(alicePresence.events).getData()).isEqualTo("{\"text\":\"presence\"}");
            assertThat(OfficialClient.next(bobPresence.events).getData()).isEqualTo("{\"text\":\"presence\"}");
            bob.pusher.unsubscribe("presence-lobby");
            assertThat(OfficialClient.next(alicePresence.changes)).isEqualTo("-bob");
        }
    }

    @Test
    @Order(2)
    void webhooksReachTheAppsServerSignedWithItsSecret() throws Exception {
        webhooks.clear();
        try (OfficialClient carol = connect(main, "carol")) {
            PresenceRecorder presence = new PresenceRecorder();
            carol.pusher.subscribePresence("presence-hooks", presence);
            presence.members.get(20, TimeUnit.SECONDS);
            awaitWebhooks("channel_occupied:presence-hooks", "member_added:presence-hooks:carol");
            carol.pusher.unsubscribe("presence-hooks");
            // Batches may arrive out of order (docs/webhooks.md): waited for as a set.
            awaitWebhooks("member_removed:presence-hooks:carol", "channel_vacated:presence-hooks");
        }
        assertThat(badWebhooks).isEmpty();
    }

    private static void awaitWebhooks(String... expected) {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(webhooks)
                .as("webhooks received" + (badWebhooks.isEmpty() ? "" : "; badly signed: " + badWebhooks))
                .contains(expected));
    }

    @Test
    @Order(3)
    void usageIsCountedOnTheUsageApi() throws Exception {
        App counted = createApp("cluster-usage", Map.of());
        try (OfficialClient one = connect(counted, "one"); OfficialClient two = connect(counted, "two")) {
            ChannelRecorder first = new ChannelRecorder();
            ChannelRecorder second = new ChannelRecorder();
            one.pusher.subscribe("metered", first, "e");
            two.pusher.subscribe("metered", second, "e");
            first.subscribed.get(20, TimeUnit.SECONDS);
            second.subscribed.get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                published(counted.api.trigger("metered", "e", Map.of("i", i)));
                OfficialClient.next(first.events);
                OfficialClient.next(second.events);
            }
            // 3 publishes of one channel, each delivered to 2 subscribers, over 2 connections.
            await().atMost(DEADLINE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                HttpResponse<String> usage = cluster.get("/usage/apps/" + counted.id + "?step=minute", cluster.adminToken);
                assertThat(usage.statusCode()).as(usage.body()).isEqualTo(200);
                JsonNode total = JSON.readTree(usage.body()).get("totals").get("all_time");
                assertThat(total.get("published").asLong()).isEqualTo(3);
                assertThat(total.get("delivered").asLong()).isEqualTo(6);
                assertThat(total.get("connections").asLong()).isEqualTo(2);
            });
        }
        finally {
            counted.api.close();
        }
    }

    @Test
    @Order(4)
    void aTenantOverItsPublishRateIsRefusedWith429() throws Exception {
        App limited = createApp("cluster-quota", Map.of("limits", Map.of("maxPublishPerSecond", 1)));
        try {
            Result refused = null;
            for (int i = 0; i < 50 && refused == null; i++) {
                Result result = limited.api.trigger("quota", "e", Map.of("i", i));
                refused = result.getHttpStatus() == 429 ? result : null;
            }
            assertThat(refused).as("a 429 among 50 publishes of an app limited to 1 per second").isNotNull();
            assertThat(refused.getMessage()).contains("Over the publish rate of app " + limited.id);
            // Another tenant, meanwhile: admitted.
            published(main.api.trigger("unaffected", "e", Map.of("i", 0)));
        }
        finally {
            limited.api.close();
        }
    }

    /**
     * What a newcomer opens first: the demo page and the dashboard through the gateway, and the
     * page's signed curl (made for the gateway's address) publishing through the gateway.
     */
    @Test
    @Order(6)
    void theDemoPageItsCurlAndTheDashboardThroughTheGateway() throws Exception {
        await().atMost(DEADLINE).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> page = cluster.get("/", null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>Herald — demo");
        });
        HttpResponse<String> config = cluster.get("/demo/config", null);
        assertThat(config.statusCode()).as(config.body()).isEqualTo(200);
        JsonNode demo = JSON.readTree(config.body());
        assertThat(demo.get("key").asString()).isEqualTo("demo-key");
        String curl = demo.get("curl").asString();
        String url = curl.substring(curl.lastIndexOf(" '") + 2, curl.length() - 1);
        // Signed for the address the page was asked at (the gateway's, forwarded by it).
        assertThat(url).startsWith(cluster.gatewayUrl() + "/apps/demo-app/events?");
        String body = curl.substring(curl.indexOf("-d '") + 4, curl.indexOf("' '"));
        // The curl's request, sent as the page shows it.
        HttpResponse<String> published = cluster.send(HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);

        // The dashboard sends a visitor who is not signed in to its sign-in page, through the gateway too.
        HttpResponse<String> dashboard = cluster.get("/dashboard/", null);
        if (dashboard.statusCode() == 302) {
            String location = dashboard.headers().firstValue("Location").orElseThrow();
            assertThat(location).doesNotContain(":6005").doesNotContain("metrics:");
            dashboard = cluster.get(java.net.URI.create(cluster.gatewayUrl() + "/dashboard/").resolve(location).getRawPath(), null);
        }
        assertThat(dashboard.statusCode()).as(dashboard.body()).isEqualTo(200);
        assertThat(dashboard.body()).contains("Herald");
    }

    @Test
    @Order(5)
    void aShardContainerStoppedAndStartedAgainEmpty() throws Exception {
        ShardRouter router = new ShardRouter(cluster.shardServices.size());
        int down = cluster.shardServices.size() - 1;
        String downService = cluster.shardServices.get(down);
        String onDown = channelOn(router, down, true);
        String onOther = channelOn(router, down, false);
        try (OfficialClient subscriber = connect(main, "dave")) {
            String socketId = subscriber.socketId;
            ChannelRecorder downEvents = new ChannelRecorder();
            ChannelRecorder otherEvents = new ChannelRecorder();
            subscriber.pusher.subscribe(onDown, downEvents, "e");
            subscriber.pusher.subscribe(onOther, otherEvents, "e");
            downEvents.subscribed.get(20, TimeUnit.SECONDS);
            otherEvents.subscribed.get(20, TimeUnit.SECONDS);
            published(main.api.trigger(onDown, "e", Map.of("n", "before")));
            assertThat(OfficialClient.next(downEvents.events).getData()).contains("before");

            cluster.kill(downService);
            try {
                // Publishes to the down shard fail fast with 503 and Retry-After ...
                await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    HttpResponse<String> refused = publishRaw(main, onDown, "{\"n\":\"during\"}");
                    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                });
                // ... while channels on the other shards keep working.
                published(main.api.trigger(onOther, "e", Map.of("n", "other")));
                assertThat(OfficialClient.next(otherEvents.events).getData()).contains("other");
            }
            finally {
                cluster.startAgain(downService);
            }

            // Back (empty): the subscriber receives on that shard's channel again without reconnecting.
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            boolean received = false;
            for (int attempt = 0; !received && System.nanoTime() < deadline; attempt++) {
                Result result = main.api.trigger(onDown, "e", Map.of("n", "after-" + attempt));
                if (result.getHttpStatus() == 200) {
                    PusherEvent event;
                    while ((event = downEvents.events.poll(1, TimeUnit.SECONDS)) != null) {
                        received |= event.getData().contains("after-");
                    }
                }
                else {
                    Thread.sleep(500);
                }
            }
            assertThat(received).as("a message on " + onDown + " after " + downService + " came back").isTrue();
            assertThat(subscriber.pusher.getConnection().getState()).isEqualTo(ConnectionState.CONNECTED);
            assertThat(subscriber.pusher.getConnection().getSocketId()).isEqualTo(socketId);
            assertThat(subscriber.disconnected).isNotDone();
            // The shard came back without the channel's occupancy; the edge re-recorded it.
            await().atMost(DEADLINE).untilAsserted(() -> {
                Result info = main.api.get("/channels/" + onDown);
                assertThat(info.getHttpStatus()).as(info.getMessage()).isEqualTo(200);
                assertThat(JSON.readTree(info.getMessage()).get("occupied").asBoolean()).isTrue();
            });
        }
    }

    /** A signed HTTP API publish as pusher-http-java would send it, answered with its headers. */
    private static HttpResponse<String> publishRaw(App app, String channel, String data) throws Exception {
        String body = JSON.writeValueAsString(Map.of("name", "e", "channels", List.of(channel), "data", data));
        return cluster.send(HttpRequest.newBuilder(app.api.signedUri("POST", "/apps/" + app.id + "/events", body))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** A channel of the main app on shard {@code shard} ({@code on}) or on another shard. */
    private static String channelOn(ShardRouter router, int shard, boolean on) {
        for (int i = 0; ; i++) {
            String channel = "shard-probe-" + i;
            if ((router.shardOf(main.id, channel) == shard) == on) {
                return channel;
            }
        }
    }

    private static Set<String> ids(Set<User> users) {
        return users.stream().map(User::getId).collect(Collectors.toSet());
    }
}
