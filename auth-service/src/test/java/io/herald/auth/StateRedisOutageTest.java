package io.herald.auth;

import static io.herald.auth.AuthServiceRunner.ADMIN_TOKEN;
import static io.herald.auth.AuthServiceRunner.INTERNAL_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.protocol.PusherCodec;
import io.herald.core.redis.RedisConnections;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * auth-service while its state Redis (the app registry) is down, then back with its data: the
 * admin API and the internal lookups of apps that are not cached answer 503 with
 * {@code Retry-After} and the JSON error body (never 500), and work again once it is back,
 * without a restart.
 */
class StateRedisOutageTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    RedisServer redis;
    ConfigurableApplicationContext context;
    WebTestClient http;

    @BeforeEach
    void start() {
        redis = RedisServer.startPersistent();
        context = AuthServiceRunner.start(new TestClock(),
                "--herald.redis.state=" + redis.uri(),
                "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                "--herald.redis.reconnect-max-delay=200ms",
                "--herald.apps[0].id=seeded", "--herald.apps[0].key=seeded-key",
                "--herald.apps[0].secret=seeded-secret-4b7e0c1d9a");
        http = AuthServiceRunner.client(context);
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
        redis.close();
    }

    @Test
    void theAdminApiAnswers503WithRetryAfterWhileTheStateRedisIsDownAndWorksWhenItIsBack() {
        assertThat(admin(HttpMethod.GET, "/admin/apps", null).getStatus().value()).isEqualTo(200);

        redis.stop();
        RedisConnections connections = context.getBean(RedisConnections.class);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> !connections.health().get(RedisConnections.STATE).up());

        expectUnavailable(admin(HttpMethod.GET, "/admin/apps", null));
        expectUnavailable(admin(HttpMethod.GET, "/admin/apps/seeded", null));
        expectUnavailable(admin(HttpMethod.POST, "/admin/apps", "{\"name\":\"During the outage\"}"));
        expectUnavailable(admin(HttpMethod.DELETE, "/admin/apps/seeded", null));
        expectUnavailable(call(HttpMethod.GET, "/internal/v1/apps/by-id/seeded", "Bearer " + INTERNAL_TOKEN, null));

        redis.restart();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> admin(HttpMethod.GET, "/admin/apps/seeded", null).getStatus().value() == 200);
        assertThat(admin(HttpMethod.POST, "/admin/apps", "{\"name\":\"After the outage\"}").getStatus().value())
                .isEqualTo(201);
        assertThat(call(HttpMethod.GET, "/internal/v1/apps/by-id/seeded", "Bearer " + INTERNAL_TOKEN, null)
                .getStatus().value()).isEqualTo(200);
    }

    private void expectUnavailable(EntityExchangeResult<byte[]> result) {
        String body = new String(result.getResponseBody(), StandardCharsets.UTF_8);
        assertThat(result.getStatus().value()).as(body).isEqualTo(503);
        assertThat(result.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
        JsonNode json = PusherCodec.json().readTree(result.getResponseBody());
        assertThat(json.get("status").asInt()).isEqualTo(503);
        assertThat(json.get("error").asString()).contains("temporarily unavailable").doesNotContain("redis://")
                .doesNotContain(String.valueOf(redis.port()));
    }

    private EntityExchangeResult<byte[]> admin(HttpMethod method, String path, String body) {
        return call(method, path, "Bearer " + ADMIN_TOKEN, body);
    }

    private EntityExchangeResult<byte[]> call(HttpMethod method, String path, String authorization, String body) {
        WebTestClient.RequestBodySpec spec = http.method(method).uri(path).header(HttpHeaders.AUTHORIZATION,
                authorization);
        WebTestClient.RequestHeadersSpec<?> request = body == null ? spec
                : spec.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        return request.exchange().expectBody().returnResult();
    }
}
