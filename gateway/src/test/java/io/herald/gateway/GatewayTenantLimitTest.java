package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.core.app.App;
import io.herald.core.app.AppLimits;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.publish.PublishServiceApplication;
import io.herald.ratelimit.RateLimitServiceApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The per-tenant HTTP API request limit at the gateway: Spring Cloud Gateway's rate-limiter SPI
 * over Herald's {@code RateLimiter} port, i.e. the real rate-limit-service (on a real Redis) behind
 * the gateway's leases; apps' limits from auth-service's internal view ({@link FakeAuthService});
 * two real publish nodes with their own API request limit switched off
 * ({@code herald.publish.api-request-limit=false}), so that each request is counted once. The
 * official pusher-http-java publishes through the gateway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayTenantLimitTest {

    static final String LIMITED = "gw-limited";
    static final String OTHER = "gw-other";
    static final String RATELIMIT_TOKEN = "gateway-test-ratelimit-token-71be";

    static RedisServer redis;
    static FakeAuthService auth;
    static ConfigurableApplicationContext rateLimitService;
    static List<ConfigurableApplicationContext> publishers;
    static ConfigurableApplicationContext gateway;
    static int gatewayPort;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        String prefix = RedisServer.uniquePrefix();
        auth = new FakeAuthService(List.of(app(LIMITED, 1), app(OTHER, 1000)));
        rateLimitService = RateLimitServiceApplication.builder().initializers(ServerTesting::ownEventLoops)
                .run("--server.port=0", "--herald.ratelimit.internal-token=" + RATELIMIT_TOKEN,
                        "--herald.redis.state=" + redis.uri(), "--herald.redis.key-prefix=" + prefix);
        Map<String, Object> publish = new HashMap<>();
        publish.put("server.port", 0);
        publish.put("herald.redis.shards[0]", redis.uri().toString());
        publish.put("herald.redis.key-prefix", prefix);
        publish.put("herald.publish.api-request-limit", false);
        publish.put(GatewayClusterTest.OBSERVE_PUSHER_PATHS, true);
        for (String[] app : new String[][] { { LIMITED, "1" }, { OTHER, "1000" } }) {
            int i = app[0].equals(LIMITED) ? 0 : 1;
            publish.put("herald.apps[" + i + "].id", app[0]);
            publish.put("herald.apps[" + i + "].key", app[0] + "-key");
            publish.put("herald.apps[" + i + "].secret", app[0] + "-secret");
            publish.put("herald.apps[" + i + "].max-api-requests-per-second", app[1]);
        }
        publishers = List.of(run(PublishServiceApplication.builder(), publish),
                run(PublishServiceApplication.builder(), publish));
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", 0);
        properties.put("herald.gateway.publishers[0]", "http://127.0.0.1:" + ServerTesting.port(publishers.get(0)));
        properties.put("herald.gateway.publishers[1]", "http://127.0.0.1:" + ServerTesting.port(publishers.get(1)));
        properties.put("herald.ratelimit.url", "http://127.0.0.1:" + ServerTesting.port(rateLimitService));
        properties.put("herald.ratelimit.internal-token", RATELIMIT_TOKEN);
        properties.put("herald.ratelimit.timeout", "300ms");
        properties.put("herald.ratelimit.nodes", 2);
        properties.put("herald.auth.url", auth.uri());
        properties.put("herald.auth.internal-token", FakeAuthService.TOKEN);
        // Not shorter: a health check slower than the interval takes the instance out (CI under load).
        properties.put("spring.cloud.loadbalancer.health-check.interval", "2s");
        gateway = run(GatewayApplication.builder(), properties);
        gatewayPort = ServerTesting.port(gateway);
        try (Pusher other = sdk(OTHER)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> other.get("/channels").getHttpStatus() == 200);
        }
    }

    private static App app(String id, int apiRequestsPerSecond) {
        App plain = new App(id, id + "-key", id + "-secret", id, true, AppLimits.DEFAULTS.maxPayloadBytes());
        return new App(plain.id(), plain.key(), plain.secret(), plain.name(), true,
                plain.limits().withQuotas(0, 0, apiRequestsPerSecond, 0, ZoneOffset.UTC), plain.features(),
                plain.webhooks(), null, null);
    }

    private static ConfigurableApplicationContext run(SpringApplicationBuilder builder, Map<String, Object> props) {
        return builder.properties(props).initializers(ServerTesting::ownEventLoops).run();
    }

    private static Pusher sdk(String appId) {
        Pusher pusher = new Pusher(appId, appId + "-key", appId + "-secret");
        pusher.setHost("127.0.0.1:" + gatewayPort);
        pusher.setEncrypted(false);
        return pusher;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @AfterAll
    static void stop() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { gateway,
                rateLimitService }) {
            if (context != null && context.isActive()) {
                context.close();
            }
        }
        if (publishers != null) {
            publishers.forEach(ConfigurableApplicationContext::close);
        }
        if (auth != null) {
            auth.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void aTenantOverItsRequestRateGets429AsFromPublishServiceWhileAnotherTenantIsUnaffected() throws Exception {
        long seenBefore = publishers.stream().mapToLong(GatewayClusterTest::apiRequests).sum();
        HttpResponse<String> refused = null;
        int passed = 0;
        // 1 request per second: of requests sent back to back, one is soon refused.
        for (int i = 0; i < 50 && refused == null; i++) {
            HttpResponse<String> response = get("/apps/" + LIMITED + "/channels");
            if (response.statusCode() == 429) {
                refused = response;
            }
            else {
                passed++;
            }
        }

        assertThat(refused).as("a 429 among 50 requests of an app limited to 1 per second").isNotNull();
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(refused.body()).isEqualTo("{\"error\":\"Over the API request rate of app " + LIMITED
                + " (1 requests per second); retry after 1 s\",\"status\":429}");
        // The refused request never reached a publish node; the others did, once each.
        assertThat(publishers.stream().mapToLong(GatewayClusterTest::apiRequests).sum() - seenBefore)
                .isEqualTo(passed);
        assertThat(gateway.getBean(MeterRegistry.class).get("herald.ratelimit.refused").tag("quota", "api")
                .counter().count()).isPositive();
        // Counted once: the publish nodes behind the gateway leave the API request rate to it.
        for (ConfigurableApplicationContext publisher : publishers) {
            assertThat(publisher.getBean(MeterRegistry.class).find("herald.ratelimit.refused").counters()).isEmpty();
        }

        // The official SDK sees the same answer; another tenant is not affected.
        try (Pusher limited = sdk(LIMITED); Pusher other = sdk(OTHER)) {
            Result overQuota = null;
            for (int i = 0; i < 50 && overQuota == null; i++) {
                Result result = limited.trigger("c", "e", Map.of("i", i));
                overQuota = result.getHttpStatus() == 429 ? result : null;
            }
            assertThat(overQuota).isNotNull();
            assertThat(overQuota.getMessage()).contains("API request rate of app " + LIMITED);
            for (int i = 0; i < 20; i++) {
                Result result = other.trigger("c", "e", Map.of("i", i));
                assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
            }
        }
    }

    @Test
    @Order(2)
    void withRateLimitServiceDownPublishingGoesOnWithinTheGatewaysLocalShare() throws Exception {
        rateLimitService.close();
        MeterRegistry meters = gateway.getBean(MeterRegistry.class);

        try (Pusher other = sdk(OTHER)) {
            for (int i = 0; i < 10; i++) {
                Result result = other.trigger("c", "e", Map.of("i", i));
                assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
            }
        }

        assertThat(meters.get("herald.ratelimit.degraded").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("herald.ratelimit.fallback.decisions").functionCounter().count()).isPositive();
        // The app store's gauges, as on every service with one (docs/metrics.md).
        assertThat(meters.get("herald.apps.stale").gauge().value()).isZero();
    }
}
