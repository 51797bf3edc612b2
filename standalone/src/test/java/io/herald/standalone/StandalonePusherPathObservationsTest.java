package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Spring's {@code http.server.requests} observation leaves the Pusher paths out unless
 * {@code herald.http.observe-pusher-paths} is set (issue 10: it cost ~20 % of a signed publish),
 * and keeps observing every other path; the publish meters of Herald count the publish either way.
 */
class StandalonePusherPathObservationsTest {

    static final HttpClient http = HttpClient.newHttpClient();

    static String prometheus(StandaloneServer server) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.http("/actuator/prometheus"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Publishes once, asks for the health, and scrapes until every one of {@code shown} is in the metrics. */
    static String publishThenScrape(StandaloneServer server, String... shown) throws Exception {
        assertThat(server.publisher().trigger("observed", "e", Map.of("x", 1)).getHttpStatus()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(server.http("/actuator/health"))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        // An observation ends as its answer is written, which may be after the client has read it.
        AtomicReference<String> metrics = new AtomicReference<>("");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            metrics.set(prometheus(server));
            return Arrays.stream(shown).allMatch(metrics.get()::contains);
        });
        return metrics.get();
    }

    @Test
    void pusherPathsAreLeftOutOfHttpServerRequestsByDefault() throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of())) {
            String metrics = publishThenScrape(server, "uri=\"/actuator/health\"");
            assertThat(metrics).contains("http_server_requests_seconds_count").contains("uri=\"/actuator/health\"")
                    .doesNotContain("uri=\"/apps/{app_id}/events\"");
            assertThat(metrics).containsPattern("herald_messages_published_total\\{[^}]*app_id=\"demo-app\"[^}]*} 1.0");
        }
    }

    @Test
    void observePusherPathsPutsThemBack() throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.http.observe-pusher-paths", "true"))) {
            String metrics = publishThenScrape(server, "uri=\"/apps/{app_id}/events\"", "uri=\"/actuator/health\"");
            assertThat(metrics).contains("uri=\"/apps/{app_id}/events\"").contains("uri=\"/actuator/health\"");
        }
    }
}
