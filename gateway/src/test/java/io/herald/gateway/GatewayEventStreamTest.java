package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.testing.ServerTesting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The debug console's event stream through the gateway: it lives as long as the console is
 * open, so the request timeout of the other HTTP routes (the breaker's time limiter) must not
 * cut it, and a stream is never retried.
 */
class GatewayEventStreamTest {

    @Test
    void theConsoleStreamOutlivesTheRequestTimeoutAndEveryEventArrives() throws Exception {
        int events = 6;
        try (FakeService metrics = FakeService.eventStream(events, Duration.ofMillis(250));
                ConfigurableApplicationContext gateway = GatewayApplication.builder().properties(Map.of(
                        "server.port", 0,
                        "herald.gateway.metrics[0]", metrics.uri(),
                        "herald.gateway.timeout", "300ms",
                        "spring.cloud.loadbalancer.health-check.interval", "2s"))
                        .initializers(ServerTesting::ownEventLoops).run()) {
            HttpClient http = HttpClient.newHttpClient();
            URI console = new URI("http://127.0.0.1:" + ServerTesting.port(gateway)
                    + "/dashboard/api/apps/app-1/console?types=api_message");
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                http.send(HttpRequest.newBuilder(console).build(), HttpResponse.BodyHandlers.discarding());
                return !metrics.received.isEmpty();
            });
            metrics.received.clear();

            HttpResponse<java.util.stream.Stream<String>> response = http.send(HttpRequest.newBuilder(console)
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
            List<String> data = response.body().filter(line -> line.startsWith("data: ")).toList();

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(data).containsExactly("data: 0", "data: 1", "data: 2", "data: 3", "data: 4", "data: 5");
            assertThat(metrics.received).as("the stream was asked for once, never retried").hasSize(1);
            assertThat(metrics.received.get(0).uri()).isEqualTo("/dashboard/api/apps/app-1/console?types=api_message");
        }
    }
}
