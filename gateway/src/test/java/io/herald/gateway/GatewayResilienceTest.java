package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.testing.ServerTesting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Retries, breakers and forwarding against stand-in services ({@link FakeService}) whose answers
 * and delays the test controls.
 */
class GatewayResilienceTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private static ConfigurableApplicationContext gateway(FakeService publisher, Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", 0);
        properties.put("herald.gateway.publishers[0]", publisher.uri());
        properties.put("spring.cloud.loadbalancer.health-check.interval", "200ms");
        properties.putAll(extra);
        ConfigurableApplicationContext context = GatewayApplication.builder().properties(properties)
                .initializers(ServerTesting::ownEventLoops).run();
        return context;
    }

    private HttpResponse<String> send(ConfigurableApplicationContext gateway, String method, String pathAndQuery)
            throws Exception {
        HttpRequest.BodyPublisher body = method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"{}\"}");
        return http.send(HttpRequest.newBuilder(new URI("http://127.0.0.1:" + ServerTesting.port(gateway) + pathAndQuery))
                .header("Content-Type", "application/json").method(method, body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the load balancer's first health check has put the service in the rotation. */
    private void awaitInRotation(ConfigurableApplicationContext gateway, FakeService service) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            send(gateway, "GET", "/apps/warm-up/channels");
            return !service.received.isEmpty();
        });
        service.received.clear();
    }

    @Test
    void aFailedGetIsRetriedButAPublishPostIsNever() throws Exception {
        try (FakeService publisher = new FakeService(502, Duration.ZERO);
                ConfigurableApplicationContext gateway = gateway(publisher, Map.of("herald.gateway.retries", 2))) {
            awaitInRotation(gateway, publisher);

            assertThat(send(gateway, "GET", "/apps/1/channels").statusCode()).isEqualTo(502);
            assertThat(publisher.received).hasSize(3);

            publisher.received.clear();
            assertThat(send(gateway, "POST", "/apps/1/events").statusCode()).isEqualTo(502);
            assertThat(publisher.received).hasSize(1);
        }
    }

    @Test
    void aSlowServiceGivesAJson503AndOpensTheBreakerSoLaterRequestsFailFast() throws Exception {
        try (FakeService publisher = new FakeService(200, Duration.ofSeconds(3));
                ConfigurableApplicationContext gateway = gateway(publisher, Map.of(
                        "herald.gateway.timeout", "300ms",
                        "herald.gateway.breaker.window-size", 3,
                        "herald.gateway.breaker.minimum-calls", 3,
                        "herald.gateway.breaker.open-for", "1m"))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                send(gateway, "POST", "/apps/warm-up/events");
                return !publisher.received.isEmpty();
            });
            CircuitBreaker breaker = gateway.getBean(ReactiveResilience4JCircuitBreakerFactory.class)
                    .getCircuitBreakerRegistry().circuitBreaker("publish");
            for (int i = 0; i < 3 && breaker.getState() != CircuitBreaker.State.OPEN; i++) {
                HttpResponse<String> response = send(gateway, "POST", "/apps/1/events");
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.body()).isEqualTo("{\"error\":\"publish-service is unavailable\",\"status\":503}");
            }
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

            publisher.received.clear();
            HttpResponse<String> whileOpen = send(gateway, "POST", "/apps/1/events");

            assertThat(whileOpen.statusCode()).isEqualTo(503);
            assertThat(whileOpen.body()).contains("\"status\":503");
            assertThat(publisher.received).as("requests that reached the service while the breaker is open").isEmpty();
        }
    }

    @Test
    void aServiceThatIsDownGivesAJson503() throws Exception {
        FakeService stopped = new FakeService(200, Duration.ZERO);
        stopped.close();
        // Without health checks, so that the request really goes to the closed port.
        try (ConfigurableApplicationContext gateway = gateway(stopped,
                Map.of("spring.cloud.loadbalancer.configurations", "default"))) {
            HttpResponse<String> response = send(gateway, "POST", "/apps/1/events");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).isEqualTo("{\"error\":\"publish-service is unavailable\",\"status\":503}");
            assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        }
    }

    @Test
    void theServiceSeesTheClientInForwardedHeadersAndThePathAndQueryExactlyAsSent() throws Exception {
        try (FakeService publisher = new FakeService(200, Duration.ZERO);
                ConfigurableApplicationContext gateway = gateway(publisher, Map.of())) {
            awaitInRotation(gateway, publisher);
            String pathAndQuery = "/apps/1/channels/private-a%40b?auth_key=k&auth_timestamp=1&filter_by_prefix=a%2Bb%20c"
                    + "&info=user_count,subscription_count&auth_signature=0f";

            assertThat(send(gateway, "GET", pathAndQuery).statusCode()).isEqualTo(200);

            FakeService.Received request = publisher.received.get(0);
            assertThat(request.uri()).isEqualTo(pathAndQuery);
            int port = ServerTesting.port(gateway);
            assertThat(request.headers()).containsEntry("x-forwarded-for", "127.0.0.1")
                    .containsEntry("x-forwarded-proto", "http")
                    .containsEntry("x-forwarded-host", "127.0.0.1:" + port)
                    .containsEntry("x-forwarded-port", Integer.toString(port));
            assertThat(request.headers().get("forwarded")).contains("for=").contains("proto=http");
        }
    }
}
