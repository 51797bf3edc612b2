package io.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.testing.RedisServer;
import io.herald.core.usage.UsageCounts;
import io.herald.core.usage.UsageDelta;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageSink;
import io.herald.core.usage.UsageStore;
import io.herald.core.webhook.WebhookFailureLog;
import io.herald.core.webhook.WebhookFailureLog.WebhookFailure;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard's data endpoints and page of metrics-service on its own, over HTTP: in memory, and
 * on a real Redis (usage store, channel state on a shard, webhook failure log), fed through the
 * same paths as in production (a node's usage sink flushed to the usage stream, the channel state
 * the edges write).
 */
class DashboardApiTest {

    private static final String TOKEN = "dashboard-api-test-admin-token";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Days start at 18:30 UTC there: today's midnight falls inside a UTC hour. */
    private static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");

    private static RedisServer redis;

    private ConfigurableApplicationContext context;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
    }

    private WebTestClient start(boolean onRedis) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--herald.auth.admin-token=" + TOKEN,
                "--herald.apps[0].id=shop", "--herald.apps[0].key=shop-key", "--herald.apps[0].secret=shop-secret",
                "--herald.apps[0].name=The shop", "--herald.apps[0].max-connections=50",
                "--herald.apps[0].max-messages-per-day=1000", "--herald.apps[0].time-zone=" + KOLKATA.getId(),
                "--herald.apps[0].max-publish-per-second=20", "--herald.apps[0].max-api-requests-per-second=30",
                "--herald.apps[1].id=blog", "--herald.apps[1].key=blog-key", "--herald.apps[1].secret=blog-secret"));
        if (onRedis) {
            args.add("--herald.redis.state=" + redis.uri());
            args.add("--herald.redis.shards[0]=" + redis.uri());
            args.add("--herald.redis.key-prefix=" + RedisServer.uniquePrefix());
        }
        context = MetricsServiceApplication.builder().run(args.toArray(String[]::new));
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(WAIT).build();
    }

    private static JsonNode get(WebTestClient http, String path) {
        byte[] body = http.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBodyContent();
        return JsonMapper.builder().build().readTree(body);
    }

    @ParameterizedTest(name = "on Redis: {0}")
    @ValueSource(booleans = { false, true })
    void theSummaryShowsConnectionsChannelsQuotaUseAndWebhookFailures(boolean onRedis) {
        WebTestClient http = start(onRedis);
        Instant now = Instant.now();
        Instant midnight = LocalDate.ofInstant(now, KOLKATA).atStartOfDay(KOLKATA).toInstant();
        UsageStore store = context.getBean(UsageStore.class);
        String node = "test-" + UUID.randomUUID();
        // Ten minutes before the app's midnight (yesterday there, the same UTC hour) and after it.
        Instant afterMidnight = midnight.plus(Duration.between(midnight, now).dividedBy(2).compareTo(
                Duration.ofMinutes(10)) < 0 ? Duration.between(midnight, now).dividedBy(2) : Duration.ofMinutes(10));
        store.apply(new UsageDelta(node, 1, "shop", midnight.minus(Duration.ofMinutes(10)),
                new UsageCounts(Map.of(UsageQuantity.MESSAGES_PUBLISHED, 500L)))).block(WAIT);
        store.apply(new UsageDelta(node, 2, "shop", afterMidnight,
                new UsageCounts(Map.of(UsageQuantity.MESSAGES_PUBLISHED, 40L)))).block(WAIT);

        // As an edge and a publish node of this process count: flushed each second to the usage stream.
        UsageSink sink = context.getBean(UsageSink.class);
        sink.connectionOpened("shop");
        sink.connectionOpened("shop");
        sink.connectionOpened("shop");
        sink.connectionOpened("blog");
        sink.record("shop", UsageQuantity.MESSAGES_PUBLISHED, 2);

        ChannelState channels = context.getBean(ChannelState.class);
        channels.join(new ChannelKey("shop", "orders"), "edge-1", "1.1", null).block(WAIT);
        channels.join(new ChannelKey("shop", "orders"), "edge-1", "1.2", null).block(WAIT);
        channels.join(new ChannelKey("shop", "presence-room"), "edge-2", "2.1",
                new PresenceMember("ada", "{}")).block(WAIT);
        channels.join(new ChannelKey("blog", "posts"), "edge-2", "2.2", null).block(WAIT);
        // Herald's own record of a signed-in user (watchlists): not one of the app's channels.
        channels.join(new ChannelKey("shop", "#online-ada"), "edge-2", "2.1", new PresenceMember("ada", "{}"))
                .block(WAIT);

        WebhookFailureLog failures = context.getBean(WebhookFailureLog.class);
        URI hook = URI.create("http://hooks.example/shop");
        failures.record(new WebhookFailure("shop", hook, now.minusSeconds(20), 1, 500, "Internal Server Error", 2,
                false)).block(WAIT);
        failures.record(new WebhookFailure("shop", hook, now.minusSeconds(10), 2, 0, "connect timed out", 2, true))
                .block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode summary = get(http, "/dashboard/api/apps/shop/summary");
            assertThat(summary.get("connections").get("current").asLong()).isEqualTo(3);
            assertThat(summary.get("quotas").get("messages_per_day").get("used").asLong()).isEqualTo(42);
        });
        JsonNode summary = get(http, "/dashboard/api/apps/shop/summary");
        assertThat(summary.get("name").asString()).isEqualTo("The shop");
        assertThat(summary.get("connections").get("limit").asInt()).isEqualTo(50);
        assertThat(summary.get("quotas").get("connections").get("used").asLong()).isEqualTo(3);
        JsonNode daily = summary.get("quotas").get("messages_per_day");
        assertThat(daily.get("limit").asLong()).isEqualTo(1000);
        assertThat(daily.get("time_zone").asString()).isEqualTo("Asia/Kolkata");
        assertThat(daily.get("day").asString()).isEqualTo(LocalDate.ofInstant(now, KOLKATA).toString());
        assertThat(Instant.parse(daily.get("resets_at").asString())).isEqualTo(midnight.plus(Duration.ofDays(1)));
        assertThat(summary.get("quotas").get("publish_per_second").get("limit").asInt()).isEqualTo(20);
        assertThat(summary.get("quotas").get("api_requests_per_second").get("limit").asInt()).isEqualTo(30);

        JsonNode occupied = summary.get("channels");
        assertThat(occupied.get("occupied").asInt()).isEqualTo(2);
        assertThat(occupied.get("list").get(0).get("channel").asString()).isEqualTo("orders");
        assertThat(occupied.get("list").get(0).get("subscription_count").asLong()).isEqualTo(2);
        assertThat(occupied.get("list").get(1).get("user_count").asLong()).isEqualTo(1);

        JsonNode log = summary.get("webhook_failures");
        assertThat(log).hasSize(2);
        assertThat(log.get(0).get("attempt").asInt()).isEqualTo(2);
        assertThat(log.get(0).get("gave_up").asBoolean()).isTrue();
        assertThat(log.get(0).get("status").asInt()).isZero();
        assertThat(log.get(1).get("status").asInt()).isEqualTo(500);
        assertThat(log.get(1).get("url").asString()).isEqualTo(hook.toString());

        JsonNode blog = get(http, "/dashboard/api/apps/blog/summary");
        assertThat(blog.get("connections").get("current").asLong()).isEqualTo(1);
        assertThat(blog.get("connections").get("limit").asInt()).isZero();
        assertThat(blog.get("channels").get("occupied").asInt()).isEqualTo(1);
        assertThat(blog.get("webhook_failures")).isEmpty();

        sink.connectionClosed("shop");
        await().atMost(WAIT).until(() -> get(http, "/dashboard/api/apps/shop/summary")
                .get("connections").get("current").asLong() == 2);
    }

    @ParameterizedTest(name = "on Redis: {0}")
    @ValueSource(booleans = { false, true })
    void theAppsAreTheOnesTheCallerMayReadWithTheirNames(boolean onRedis) {
        // In memory the apps are herald.apps; on Redis the registry's, behind the app cache.
        WebTestClient http = start(onRedis);
        JsonNode apps = get(http, "/dashboard/api/apps").get("apps");
        assertThat(apps).hasSize(2);
        assertThat(apps.get(0).get("id").asString()).isEqualTo("blog");
        assertThat(apps.get(0).get("name").asString()).isEqualTo("blog");
        assertThat(apps.get(1).get("id").asString()).isEqualTo("shop");
        assertThat(apps.get(1).get("name").asString()).isEqualTo("The shop");
    }

    @Test
    void everyEndpointAsksWhoIsCallingAndAnUnknownAppIsNotFound() {
        WebTestClient http = start(false);
        http.get().uri("/dashboard/api/apps").exchange().expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.error").exists();
        http.get().uri("/dashboard/api/apps/shop/summary").exchange().expectStatus().isUnauthorized();
        http.get().uri("/dashboard/api/apps/shop/summary").header(HttpHeaders.AUTHORIZATION, "Bearer wrong").exchange()
                .expectStatus().isUnauthorized();
        http.get().uri("/dashboard/api/apps/nope/summary").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .exchange().expectStatus().isNotFound().expectBody().jsonPath("$.status").isEqualTo(404);
    }

    @Test
    void thePageAndItsChartingLibraryAreServedFromTheJar() {
        WebTestClient http = start(false);
        // The page is behind sign-in (its assets are not: they hold no data).
        http.get().uri("/dashboard/").exchange().expectStatus().isFound()
                .expectHeader().valueMatches(HttpHeaders.LOCATION, ".*/dashboard/login");
        http.get().uri("/dashboard").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).exchange()
                .expectStatus().isPermanentRedirect().expectHeader().location("/dashboard/");
        String page = http.get().uri("/dashboard/").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("assets/vendor/chart.js/chart.umd.js", "assets/dashboard.js")
                .doesNotContain("https://");
        String chart = http.get().uri("/dashboard/assets/vendor/chart.js/chart.umd.js").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(chart).contains("Chart.js v" + io.herald.metrics.config.DashboardConfiguration.CHART_JS);
        http.get().uri("/dashboard/assets/dashboard.js").exchange().expectStatus().isOk();
        http.get().uri("/dashboard/assets/dashboard.css").exchange().expectStatus().isOk();
        http.get().uri("/dashboard/assets/nothing.js").exchange().expectStatus().isNotFound();
    }
}
