package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.pusher.client.channel.PusherEvent;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole suite driven through the gateway, every service its own process configured as in
 * production ({@link Cluster#suite}: the gateway, 2 edges, 2 publish nodes, 3 Redis shards and a
 * state Redis, auth-service, rate-limit-service, metrics-service), with the official Pusher
 * libraries pointed at the gateway's port only: pusher-java-client connecting, pusher-http-java
 * publishing. Public, private and presence channels; usage counted exactly on the usage API;
 * tenants over their quotas (publish rate at the publish nodes and API requests at the gateway:
 * 429; connections: 4004) while another is unaffected; and
 * every metric the Grafana dashboard uses exposed by some service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SuiteThroughGatewayTest {

    /** The tenant with tight quotas: 1 message per second, 1 connection. */
    static final String QUOTA_APP = "e2e-quota";
    /** A tenant allowed 1 HTTP API request per second, enforced by the gateway. */
    static final String CALLS_APP = "e2e-calls";
    /** A tenant whose usage is counted exactly (nothing else uses it). */
    static final String USAGE_APP = "e2e-usage";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TenantServer tenant;
    static Cluster cluster;
    static int gatewayPort;
    static Pusher api;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        tenant = new TenantServer(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
        Map<String, Object> apps = new HashMap<>();
        app(apps, 0, Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
        // Generous quotas: the limiters are asked for this tenant too, and never refuse it.
        apps.put("herald.apps[0].max-publish-per-second", 1000);
        apps.put("herald.apps[0].max-api-requests-per-second", 1000);
        apps.put("herald.apps[0].max-connections", 100);
        apps.put("herald.apps[0].webhooks[0].url", tenant.url("/webhooks"));
        app(apps, 1, QUOTA_APP, QUOTA_APP + "-key", QUOTA_APP + "-secret");
        apps.put("herald.apps[1].max-publish-per-second", 1);
        apps.put("herald.apps[1].max-connections", 1);
        // An endpoint nobody listens on: its webhooks are given up (the dashboard's failures panel).
        apps.put("herald.apps[1].webhooks[0].url", "http://127.0.0.1:9/webhooks");
        app(apps, 2, USAGE_APP, USAGE_APP + "-key", USAGE_APP + "-secret");
        app(apps, 3, CALLS_APP, CALLS_APP + "-key", CALLS_APP + "-secret");
        apps.put("herald.apps[3].max-api-requests-per-second", 1);
        Map<String, Object> faster = new HashMap<>();
        faster.put("herald.state.heartbeat-interval", "1s");
        faster.put("herald.state.node-timeout", "3s");
        faster.put("herald.webhooks.dispatcher.retry-period", "2s");
        faster.put("herald.webhooks.dispatcher.initial-backoff", "200ms");
        faster.put("herald.webhooks.dispatcher.max-backoff", "500ms");
        // Not shorter: a health check slower than the interval takes the instance out (CI under load).
        faster.put("spring.cloud.loadbalancer.health-check.interval", "2s");
        cluster = Cluster.suite(3, 2, 2, apps, faster);
        gatewayPort = cluster.gateway.port;
        api = sdk(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
        // The gateway's first health checks: both publish nodes in the rotation.
        await().atMost(Duration.ofSeconds(60)).until(() -> Integer.valueOf(200).equals(api.get("/channels").getHttpStatus()));
    }

    private static void app(Map<String, Object> apps, int i, String id, String key, String secret) {
        apps.put("herald.apps[" + i + "].id", id);
        apps.put("herald.apps[" + i + "].key", key);
        apps.put("herald.apps[" + i + "].secret", secret);
    }

    /** pusher-http-java pointed at the gateway. */
    static Pusher sdk(String appId, String key, String secret) {
        Pusher pusher = new Pusher(appId, key, secret);
        pusher.setHost("127.0.0.1:" + gatewayPort);
        pusher.setEncrypted(false);
        return pusher;
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (tenant != null) {
            tenant.close();
        }
    }

    private static void published(Result result) {
        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
    }

    @Test
    @Order(1)
    void publicPrivateAndPresenceChannelsThroughTheGateway() throws Exception {
        try (OfficialClient reader = OfficialClient.connect(Cluster.KEY, gatewayPort);
                Member alice = new Member("alice", gatewayPort, tenant);
                Member bob = new Member("bob", gatewayPort, tenant)) {
            ChannelRecorder news = new ChannelRecorder();
            reader.pusher.subscribe("gw-news", news, "headline");
            news.subscribed.get(20, TimeUnit.SECONDS);
            published(api.trigger("gw-news", "headline", Map.of("text", "public")));
            assertThat(OfficialClient.next(news.events).getData()).contains("public");

            alice.joinPrivate("private-gw-room", "note");
            published(api.trigger("private-gw-room", "note", Map.of("text", "private")));
            assertThat(Member.next(alice.events).getData()).contains("private");

            alice.joinPresence("presence-gw-lobby");
            Set<String> members = bob.joinPresence("presence-gw-lobby", "hello");
            assertThat(members).containsExactlyInAnyOrder("alice", "bob");
            published(api.trigger("presence-gw-lobby", "hello", Map.of("text", "presence")));
            PusherEvent hello = Member.next(bob.events);
            assertThat(hello.getEventName()).isEqualTo("hello");
            assertThat(hello.getData()).contains("presence");
        }
    }

    @Test
    @Order(2)
    void usageIsCountedExactlyAndReadThroughTheGatewayWithTheOperatorsToken() throws Exception {
        String key = USAGE_APP + "-key";
        try (Pusher usageApi = sdk(USAGE_APP, key, USAGE_APP + "-secret");
                OfficialClient first = OfficialClient.connect(key, gatewayPort);
                OfficialClient second = OfficialClient.connect(key, gatewayPort)) {
            ChannelRecorder one = new ChannelRecorder();
            ChannelRecorder two = new ChannelRecorder();
            first.pusher.subscribe("usage-news", one, "e");
            second.pusher.subscribe("usage-news", two, "e");
            one.subscribed.get(20, TimeUnit.SECONDS);
            two.subscribed.get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                published(usageApi.trigger("usage-news", "e", Map.of("i", i)));
            }
            for (int i = 0; i < 5; i++) {
                OfficialClient.next(one.events);
                OfficialClient.next(two.events);
            }

            // 5 publishes of one channel each, delivered to 2 subscribers; 5 signed API requests.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode total = usage(USAGE_APP).get("totals").get("all_time");
                assertThat(total.get("published").asLong()).isEqualTo(5);
                assertThat(total.get("delivered").asLong()).isEqualTo(10);
                assertThat(total.get("api_requests").asLong()).isEqualTo(5);
                assertThat(total.get("connections").asLong()).isEqualTo(2);
            });
        }
        assertThat(get("/usage/apps/" + USAGE_APP, null).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(3)
    void aTenantOverItsQuotasGets429And4004WhileAnotherTenantIsUnaffected() throws Exception {
        String quotaKey = QUOTA_APP + "-key";
        try (Pusher overQuota = sdk(QUOTA_APP, quotaKey, QUOTA_APP + "-secret");
                OfficialClient only = OfficialClient.connect(quotaKey, gatewayPort)) {
            ChannelRecorder recorder = new ChannelRecorder();
            only.pusher.subscribe("quota-news", recorder, "e");
            recorder.subscribed.get(20, TimeUnit.SECONDS);

            // 1 message per second, across both publish nodes (rate-limit-service decides).
            Result refused = null;
            for (int i = 0; i < 50 && refused == null; i++) {
                Result result = overQuota.trigger("quota-news", "e", Map.of("i", i));
                refused = result.getHttpStatus() == 429 ? result : null;
            }
            assertThat(refused).as("a 429 among 50 publishes of an app limited to 1 per second").isNotNull();
            assertThat(refused.getMessage()).contains("Over the publish rate of app " + QUOTA_APP);

            // 1 connection at most, cluster-wide: the second is refused with 4004, on whichever edge.
            assertThatThrownBy(() -> OfficialClient.connect(quotaKey, gatewayPort).close())
                    .hasStackTraceContaining("4004");

            // 1 API request per second: the gateway refuses before any publish node sees it.
            try (Pusher calls = sdk(CALLS_APP, CALLS_APP + "-key", CALLS_APP + "-secret")) {
                Result tooMany = null;
                for (int i = 0; i < 50 && tooMany == null; i++) {
                    Result result = calls.get("/channels");
                    tooMany = Integer.valueOf(429).equals(result.getHttpStatus()) ? result : null;
                }
                assertThat(tooMany).as("a 429 among 50 requests of an app limited to 1 per second").isNotNull();
                assertThat(tooMany.getMessage()).isEqualTo("{\"error\":\"Over the API request rate of app "
                        + CALLS_APP + " (1 requests per second); retry after 1 s\",\"status\":429}");
            }

            // The other tenant, meanwhile: every publish admitted, connections accepted.
            try (OfficialClient one = OfficialClient.connect(Cluster.KEY, gatewayPort);
                    OfficialClient two = OfficialClient.connect(Cluster.KEY, gatewayPort)) {
                ChannelRecorder events = new ChannelRecorder();
                one.pusher.subscribe("unaffected", events, "e");
                events.subscribed.get(20, TimeUnit.SECONDS);
                for (int i = 0; i < 20; i++) {
                    published(api.trigger("unaffected", "e", Map.of("i", i)));
                }
                for (int i = 0; i < 20; i++) {
                    OfficialClient.next(events.events);
                }
            }
        }
    }

    @Test
    @Order(4)
    void everyMetricTheGrafanaDashboardUsesIsExposedByAService() throws Exception {
        Set<String> used = GrafanaDashboard.metricNames(Path.of("..", "grafana", "herald-dashboard.json"));
        assertThat(used).contains("herald_connections", "herald_messages_delivered_total",
                "spring_cloud_gateway_requests_seconds_count");
        // A connection open while the edges are scraped (the per-app connection gauge is made by the first).
        try (OfficialClient open = OfficialClient.connect(Cluster.KEY, gatewayPort)) {
            // Meters made by the traffic above (a webhook given up after its retry period among them).
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Set<String> exposed = new TreeSet<>();
                for (ServiceProcess process : cluster.processes()) {
                    exposed.addAll(GrafanaDashboard.exposedNames(scrape(process)));
                }
                assertThat(exposed).containsAll(used);
            });
        }
    }

    private static JsonNode usage(String appId) throws Exception {
        HttpResponse<String> response = get("/usage/apps/" + appId + "?step=minute", Cluster.ADMIN_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String path, String bearer) throws Exception {
        return get("http://127.0.0.1:" + gatewayPort, path, bearer);
    }

    private static String scrape(ServiceProcess process) throws Exception {
        return get(process.url(), "/actuator/prometheus", null).body();
    }

    private static HttpResponse<String> get(String base, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
