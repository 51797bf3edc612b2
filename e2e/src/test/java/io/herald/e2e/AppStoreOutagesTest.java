package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PrivateChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.core.app.CachingAppStore;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.edge.EdgeServiceApplication;
import io.herald.publish.PublishServiceApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tenants' apps through an outage of what holds them, with the official libraries: auth-service
 * (own process, stopped and started again on its port) over a state Redis (restarted empty), an
 * edge that asks auth-service for apps, and a publish service that reads the state Redis. Short
 * cache TTL, staleness bound and check interval, so that each fault takes seconds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppStoreOutagesTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";
    static final String INTERNAL_TOKEN = "e2e-internal-token-0123456789abcdef";
    static final String OTHER_APP = "other-app";
    static final String OTHER_KEY = "other-key";
    static final Duration CACHE_TTL = Duration.ofMillis(200);
    static final Duration MAX_STALENESS = Duration.ofSeconds(4);

    static RedisServer shard;
    static RedisServer state;
    static TenantServer tenant;
    static ServiceProcess auth;
    static Map<String, Object> authProps;
    static ConfigurableApplicationContext edgeContext;
    static ConfigurableApplicationContext publishContext;
    static int edge;
    static Pusher publisher;

    @BeforeAll
    static void start() throws Exception {
        tenant = new TenantServer(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
        shard = RedisServer.start();
        state = RedisServer.start();
        Map<String, Object> common = new HashMap<>();
        common.put("herald.redis.shards[0]", shard.uri().toString());
        common.put("herald.redis.state", state.uri().toString());
        common.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        common.put("herald.redis.reconnect-max-delay", "300ms");
        common.put("herald.redis.apps.check-interval", "500ms");
        common.put("herald.auth.internal-token", INTERNAL_TOKEN);
        common.put("herald.auth.cache-ttl", CACHE_TTL.toMillis() + "ms");
        common.put("herald.auth.max-staleness", MAX_STALENESS.toMillis() + "ms");

        authProps = new HashMap<>(common);
        authProps.put("herald.apps[0].id", Cluster.APP_ID);
        authProps.put("herald.apps[0].key", Cluster.KEY);
        authProps.put("herald.apps[0].secret", Cluster.SECRET);
        authProps.put("herald.apps[1].id", OTHER_APP);
        authProps.put("herald.apps[1].key", OTHER_KEY);
        authProps.put("herald.apps[1].secret", "other-secret-0123456789");
        authProps.put("herald.auth.admin-token", ADMIN_TOKEN);
        auth = new ServiceProcess(ServiceProcess.AUTH, authProps);

        Map<String, Object> edgeProps = new HashMap<>(common);
        edgeProps.put("server.port", 0);
        edgeProps.put("herald.auth.url", "http://127.0.0.1:" + auth.port);
        edgeProps.put("herald.auth.circuit-breaker.wait-duration-in-open-state", "300ms");
        edgeContext = new SpringApplicationBuilder(EdgeServiceApplication.class)
                .properties(EdgeServiceApplication.DEFAULTS).properties(edgeProps)
                .initializers(ServerTesting::ownEventLoops).run();
        edge = ServerTesting.port(edgeContext);

        // No herald.apps here: the publish service reads the apps auth-service seeded.
        Map<String, Object> publishProps = new HashMap<>(common);
        publishProps.put("server.port", 0);
        publishContext = PublishServiceApplication.builder().properties(publishProps)
                .initializers(ServerTesting::ownEventLoops).run();
        publisher = new Pusher(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
        publisher.setHost("127.0.0.1:" + ServerTesting.port(publishContext));
        publisher.setEncrypted(false);
    }

    @AfterAll
    static void stop() throws Exception {
        if (publisher != null) {
            publisher.close();
        }
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { publishContext,
                edgeContext }) {
            if (context != null) {
                context.close();
            }
        }
        if (auth != null) {
            auth.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] { state, shard, tenant }) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    @Order(1)
    void aStateRedisBackEmptyGetsItsSeedAgainAndClosesNoConnection() throws Exception {
        JsonNode made = JSON.readTree(admin("POST", "/admin/apps", "{\"id\":\"made-app\"}"));
        String madeKey = made.get("key").asString();
        try (Member alice = new Member("alice", edge, tenant);
                OfficialClient other = OfficialClient.connect(OTHER_KEY, edge);
                OfficialClient madeClient = OfficialClient.connect(madeKey, edge)) {
            BlockingQueue<PusherEvent> events = subscribe(alice, "public-room");
            assertThat(trigger("public-room", "before")).isEqualTo(200);
            assertThat(Member.next(events).getData()).contains("before");

            Instant restarted = Instant.now();
            state.restart();

            // The seeded app comes back by itself (in the state Redis, as the admin API shows it) ...
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> adminStatus("GET", "/admin/apps/" + Cluster.APP_ID) == 200);
            System.out.println("[figures] state Redis back empty: seeded app written again "
                    + Duration.between(restarted, Instant.now()).toMillis() + " ms after the restart");
            // ... and publishes reach the clients that stayed connected.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> trigger("public-room", "after") == 200);
            System.out.println("[figures] state Redis back empty: publishes accepted again "
                    + Duration.between(restarted, Instant.now()).toMillis() + " ms after the restart");
            assertThat(Member.next(events).getData()).contains("after");
            try (Member bob = new Member("bob", edge, tenant)) {
                BlockingQueue<PusherEvent> bobs = subscribe(bob, "public-room");
                assertThat(trigger("public-room", "for-both")).isEqualTo(200);
                assertThat(Member.next(bobs).getData()).contains("for-both");
            }
            System.out.println("[figures] state Redis back empty: a new connection works "
                    + Duration.between(restarted, Instant.now()).toMillis() + " ms after the restart");

            // Nobody was closed: not the seeded apps' connections, not the lost admin-made app's one.
            assertThat(alice.errors).isEmpty();
            assertThat(other.errors).isEmpty();
            assertThat(madeClient.errors).isEmpty();
            assertThat(alice.disconnected).isNotDone();
            assertThat(madeClient.disconnected).isNotDone();

            // A deletion through the admin API still closes its app's connections, with 4003.
            admin("DELETE", "/admin/apps/" + OTHER_APP, null);
            assertThat(Member.next(other.errors)).startsWith("4003");
            assertThat(alice.errors).isEmpty();
        }
    }

    @Test
    @Order(2)
    void anAuthServiceOutageKeepsKnownAppsServedAndOnlyAuthorizationFails() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger cacheLog = (Logger) LoggerFactory.getLogger(CachingAppStore.class);
        cacheLog.addAppender(logs);
        try {
            // The edge has seen the app (and left any stale mode the previous test caused).
            new Member("warm-up", edge, tenant).close();
            int from = logs.list.size();
            auth.kill();
            Instant killed = Instant.now();
            // Let the edge's cached app expire (its TTL is tiny), so that only a stale answer can help.
            Thread.sleep(CACHE_TTL.multipliedBy(3).toMillis());

            // A new connection: served from the last known view; public channels work.
            try (Member carol = new Member("carol", edge, tenant); Member dave = new Member("dave", edge, tenant)) {
                BlockingQueue<PusherEvent> events = subscribe(carol, "public-outage");
                assertThat(trigger("public-outage", "still-here")).isEqualTo(200);
                assertThat(Member.next(events).getData()).contains("still-here");

                // What needs auth-service fails, retryably.
                BlockingQueue<PusherEvent> refusals = new LinkedBlockingQueue<>();
                carol.pusher.subscribePrivate("private-outage", new PrivateChannelEventListener() {
                    @Override
                    public void onAuthenticationFailure(String message, Exception e) {
                    }

                    @Override
                    public void onSubscriptionSucceeded(String channelName) {
                        refusals.add(new PusherEvent("unexpected-success", channelName, null, "{}"));
                    }

                    @Override
                    public void onEvent(PusherEvent event) {
                        refusals.add(event);
                    }
                }, "pusher:subscription_error");
                PusherEvent refusal = Member.next(refusals);
                assertThat(refusal.getEventName()).isEqualTo("pusher:subscription_error");
                assertThat(refusal.getData()).contains("503");
            }
            assertThat(messages(logs, from)).filteredOn(m -> m.startsWith("App store unreachable")).hasSize(1);

            // Beyond the staleness bound: refused as before (4100, back off and retry).
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThatThrownBy(() -> new Member("too-late", edge, tenant).close()).hasMessageContaining("4100"));
            System.out.println("[figures] auth-service down: new connections refused (4100) "
                    + Duration.between(killed, Instant.now()).toMillis() + " ms after the kill (max-staleness "
                    + MAX_STALENESS.toMillis() + " ms)");

            auth = new ServiceProcess(ServiceProcess.AUTH, authProps, auth.port);
            Instant back = Instant.now();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .untilAsserted(() -> new Member("back", edge, tenant).close());
            System.out.println("[figures] auth-service back: new connections accepted "
                    + Duration.between(back, Instant.now()).toMillis() + " ms after it listens");
            try (Member erin = new Member("erin", edge, tenant)) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                        .untilAsserted(() -> erin.joinPrivate("private-back-" + System.nanoTime()));
            }
            assertThat(messages(logs, from)).filteredOn(m -> m.startsWith("App store unreachable")).hasSize(1);
            assertThat(messages(logs, from)).filteredOn(m -> m.startsWith("App store answers again")).hasSize(1);
        }
        finally {
            cacheLog.detachAppender(logs);
        }
    }

    static BlockingQueue<PusherEvent> subscribe(Member member, String channel) throws Exception {
        BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        member.pusher.subscribe(channel, new ChannelEventListener() {
            @Override
            public void onSubscriptionSucceeded(String channelName) {
                subscribed.complete(null);
            }

            @Override
            public void onEvent(PusherEvent event) {
                events.add(event);
            }
        }, "news");
        subscribed.get(20, TimeUnit.SECONDS);
        return events;
    }

    static int trigger(String channel, String text) {
        Result result = publisher.trigger(channel, "news", Map.of("text", text));
        return result.getHttpStatus();
    }

    static String admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + auth.port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response.body();
    }

    static int adminStatus(String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + auth.port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static List<String> messages(ListAppender<ILoggingEvent> logs, int from) {
        return List.copyOf(logs.list).stream().skip(from).map(ILoggingEvent::getFormattedMessage).toList();
    }
}
