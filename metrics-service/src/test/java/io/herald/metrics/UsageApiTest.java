package io.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.usage.UsageCounts;
import io.herald.core.usage.UsageDelta;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The usage API of metrics-service on its own (in-memory state), over HTTP. */
class UsageApiTest {

    private static final String TOKEN = "usage-api-test-admin-token";

    private ConfigurableApplicationContext context;

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
    }

    private WebTestClient start(String... args) {
        context = MetricsServiceApplication.builder().run(args);
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Test
    void operatorsReadAnAppsSeriesPerQuantityAndItsTotals() {
        WebTestClient http = start("--server.port=0", "--herald.auth.admin-token=" + TOKEN);
        UsageStore store = context.getBean(UsageStore.class);
        Instant hour = UsageStep.HOUR.bucketOf(Instant.now());
        store.apply(new UsageDelta("n1", 1, "app-a", hour.plusSeconds(5), new UsageCounts(Map.of(
                UsageQuantity.MESSAGES_PUBLISHED, 2L, UsageQuantity.MESSAGES_DELIVERED, 40L,
                UsageQuantity.PEAK_CONNECTIONS, 20L)))).block(Duration.ofSeconds(30));
        store.apply(new UsageDelta("n1", 2, "app-a", hour.plusSeconds(125), new UsageCounts(Map.of(
                UsageQuantity.MESSAGES_DELIVERED, 10L)))).block(Duration.ofSeconds(30));

        http.get().uri("/usage/apps/app-a?step=minute&from={from}&to={to}", hour, hour.plusSeconds(180))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.app_id").isEqualTo("app-a")
                .jsonPath("$.buckets.length()").isEqualTo(3)
                .jsonPath("$.buckets[0]").isEqualTo(hour.toString())
                .jsonPath("$.series.delivered[0]").isEqualTo(40)
                .jsonPath("$.series.delivered[1]").isEqualTo(0)
                .jsonPath("$.series.delivered[2]").isEqualTo(10)
                .jsonPath("$.series.peak_connections[0]").isEqualTo(20)
                .jsonPath("$.series.billable_messages[0]").isEqualTo(42)
                .jsonPath("$.totals.range.delivered").isEqualTo(50)
                .jsonPath("$.totals.all_time.published").isEqualTo(2)
                .jsonPath("$.totals.all_time.billable_messages").isEqualTo(52);

        http.get().uri("/usage/apps/*?step=hour").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.totals.all_time.delivered").isEqualTo(50);
        http.get().uri("/usage/apps/app-a?step=week").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).exchange()
                .expectStatus().isBadRequest();
        http.get().uri("/usage/apps/app-a?step=minute&from=2020-01-01T00:00:00Z")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).exchange().expectStatus().isBadRequest();
        http.get().uri("/usage/openapi.json").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.paths['/usage/apps/{app_id}'].get").exists();
    }

    @Test
    void withoutTheOperatorsTokenNothingIsAnswered() {
        WebTestClient http = start("--server.port=0", "--herald.auth.admin-token=" + TOKEN);
        http.get().uri("/usage/apps/app-a").exchange().expectStatus().isUnauthorized();
        http.get().uri("/usage/apps/app-a").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN + "x").exchange()
                .expectStatus().isUnauthorized();
        String body = new String(http.get().uri("/usage/apps/app-a").header(HttpHeaders.AUTHORIZATION, "Bearer wrong")
                .exchange().expectBody().returnResult().getResponseBodyContent());
        assertThat(body).doesNotContain(TOKEN);
    }

    @Test
    void withNoTokenConfiguredTheApiIsOff() {
        WebTestClient http = start("--server.port=0");
        http.get().uri("/usage/apps/app-a").header(HttpHeaders.AUTHORIZATION, "Bearer anything").exchange()
                .expectStatus().isForbidden().expectBody().jsonPath("$.error").value(message ->
                        assertThat(message.toString()).contains("herald.auth.admin-token"));
    }
}
