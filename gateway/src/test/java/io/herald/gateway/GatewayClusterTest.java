package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.edge.EdgeServiceApplication;
import io.herald.publish.PublishServiceApplication;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway in front of a real cluster (one Redis, one edge, two publish nodes), with the
 * official Pusher libraries on both sides: pusher-java-client connects through the gateway's
 * {@code /app/{key}}, pusher-http-java publishes through its {@code /apps/{id}/events}, whose
 * signature the publish node verifies over the path and query as the gateway forwarded them.
 */
class GatewayClusterTest {

    static final String APP_ID = "gw-app";
    static final String KEY = "gw-key";
    static final String SECRET = "gw-secret";

    static RedisServer redis;
    static ConfigurableApplicationContext edge;
    static List<ConfigurableApplicationContext> publishers;
    static ConfigurableApplicationContext gateway;
    static int gatewayPort;
    static Pusher api;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        Map<String, Object> common = new HashMap<>();
        common.put("server.port", 0);
        common.put("herald.apps[0].id", APP_ID);
        common.put("herald.apps[0].key", KEY);
        common.put("herald.apps[0].secret", SECRET);
        common.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        common.put("herald.redis.shards[0]", redis.uri().toString());
        // The tests count the requests each publish node answered from http.server.requests, which
        // leaves the Pusher paths out unless asked.
        common.put(OBSERVE_PUSHER_PATHS, true);
        edge = run(new SpringApplicationBuilder(EdgeServiceApplication.class).properties(EdgeServiceApplication.DEFAULTS),
                common);
        publishers = List.of(run(PublishServiceApplication.builder(), common), run(PublishServiceApplication.builder(),
                common));
        Map<String, Object> gatewayProperties = new HashMap<>();
        gatewayProperties.put("server.port", 0);
        gatewayProperties.put("herald.gateway.edges[0]", "http://127.0.0.1:" + ServerTesting.port(edge));
        gatewayProperties.put("herald.gateway.publishers[0]", "http://127.0.0.1:" + ServerTesting.port(publishers.get(0)));
        gatewayProperties.put("herald.gateway.publishers[1]", "http://127.0.0.1:" + ServerTesting.port(publishers.get(1)));
        gatewayProperties.put("herald.gateway.max-request-size", "64KB");
        gatewayProperties.put("spring.cloud.loadbalancer.health-check.interval", "200ms");
        gateway = run(GatewayApplication.builder(), gatewayProperties);
        gatewayPort = ServerTesting.port(gateway);
        api = new Pusher(APP_ID, KEY, SECRET);
        api.setHost("127.0.0.1:" + gatewayPort);
        api.setEncrypted(false);
        // The load balancer's first health checks: both publish nodes in the rotation.
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/channels").getHttpStatus() == 200);
    }

    private static ConfigurableApplicationContext run(SpringApplicationBuilder builder, Map<String, Object> props) {
        return builder.properties(props).initializers(ServerTesting::ownEventLoops).run();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { gateway, edge }) {
            if (context != null) {
                context.close();
            }
        }
        if (publishers != null) {
            publishers.forEach(ConfigurableApplicationContext::close);
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void anOfficialClientThroughTheGatewayReceivesAnEventPublishedThroughTheGateway() throws Exception {
        try (OfficialClient client = OfficialClient.connect(KEY, gatewayPort)) {
            ChannelRecorder recorder = new ChannelRecorder();
            client.pusher.subscribe("gw-news", recorder, "greeting");
            recorder.subscribed.get(20, TimeUnit.SECONDS);

            Result result = api.trigger("gw-news", "greeting", Map.of("text", "through the gateway"));

            assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
            assertThat(OfficialClient.next(recorder.events).getData()).contains("through the gateway");
        }
    }

    @Test
    void aSignedGetWithAQueryIsVerifiedThroughTheGateway() {
        // The signature covers the query: the gateway must forward it exactly as the library encoded it.
        Result result = api.get("/channels", Map.of("filter_by_prefix", "presence-", "info", "user_count"));

        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
    }

    @Test
    void requestsAreSpreadOverBothPublishNodes() {
        long[] before = publishers.stream().mapToLong(GatewayClusterTest::apiRequests).toArray();
        for (int i = 0; i < 20; i++) {
            assertThat(api.trigger("gw-spread", "e", Map.of("i", i)).getHttpStatus()).isEqualTo(200);
        }
        for (int i = 0; i < publishers.size(); i++) {
            assertThat(apiRequests(publishers.get(i)) - before[i]).as("requests at publish node %d", i).isPositive();
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeAnyPublishNodeSeesIt() throws Exception {
        long before = publishers.stream().mapToLong(GatewayClusterTest::apiRequests).sum();

        HttpResponse<String> response = post("/apps/" + APP_ID + "/events", "x".repeat(65 * 1024));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("\"status\":413");
        assertThat(publishers.stream().mapToLong(GatewayClusterTest::apiRequests).sum()).isEqualTo(before);
    }

    @Test
    void theInternalApiIsNotRoutedNorReachableThroughDotSegments() throws Exception {
        assertThat(get("/internal/v1/apps").statusCode()).isEqualTo(404);
        HttpResponse<String> traversal = rawGet("/admin/../internal/v1/apps");
        assertThat(traversal.statusCode()).isEqualTo(400);
        assertThat(rawGet("/admin/%2e%2e/internal/v1/apps").statusCode()).isEqualTo(400);
    }

    @Test
    void aServiceWithNoInstanceAnswersAJson503() throws Exception {
        // No metrics-service yet: its routes exist and say so.
        HttpResponse<String> response = get("/usage/apps/" + APP_ID);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("{\"error\":\"metrics-service is unavailable\",\"status\":503}");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void theGatewayHasItsOwnHealthAndPrometheusMetrics() throws Exception {
        assertThat(get("/actuator/health").body()).contains("\"UP\"");
        api.get("/channels");
        assertThat(get("/actuator/prometheus").body()).contains("spring_cloud_gateway_requests");
        // Spring Cloud Gateway's own endpoint can create routes: never on the public port.
        assertThat(get("/actuator/gateway/routes").statusCode()).isEqualTo(404);
        assertThat(get("/herald-gateway/unavailable/anything").statusCode()).isEqualTo(404);
    }

    /** Set on publish nodes whose {@link #apiRequests} a test reads. */
    static final String OBSERVE_PUSHER_PATHS = "herald.http.observe-pusher-paths";

    /**
     * The HTTP API requests (any method, any /apps path) a publish node answered, from its own
     * {@code http.server.requests}; the node must run with {@link #OBSERVE_PUSHER_PATHS}.
     */
    static long apiRequests(ConfigurableApplicationContext publisher) {
        return publisher.getBean(MeterRegistry.class).find("http.server.requests").timers().stream()
                .filter(t -> t.getId().getTag("uri") == null || !t.getId().getTag("uri").startsWith("/actuator"))
                .mapToLong(Timer::count).sum();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A GET whose path is sent as written (java.net.URI would keep dot segments too, but say so plainly). */
    private static HttpResponse<String> rawGet(String rawPath) throws Exception {
        return http.send(HttpRequest.newBuilder(new URI("http://127.0.0.1:" + gatewayPort + rawPath)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
