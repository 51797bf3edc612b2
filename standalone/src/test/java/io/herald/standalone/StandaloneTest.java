package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.Pusher;
import com.pusher.client.channel.PusherEvent;
import com.pusher.rest.data.Result;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The standalone server with no dependency: one port, both official libraries, the demo and probes. */
class StandaloneTest {

    static StandaloneServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = new StandaloneServer(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.http(path))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void officialClientAndServerLibrariesTalkThroughOnePort() throws Exception {
        OfficialClient official = OfficialClient.connect("demo-key", server.port);
        Pusher client = official.pusher;
        try {
            ChannelRecorder recorder = new ChannelRecorder();
            client.subscribe("demo", recorder, "hello");
            recorder.subscribed.get(10, TimeUnit.SECONDS);
            com.pusher.rest.Pusher publisher = server.publisher();
            Result result = publisher.trigger("demo", "hello", Map.of("message", "hi"));
            assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
            PusherEvent event = recorder.events.poll(10, TimeUnit.SECONDS);
            assertThat(event).isNotNull();
            assertThat(event.getData()).isEqualTo("{\"message\":\"hi\"}");
            publisher.close();
        }
        finally {
            client.disconnect();
        }
    }

    @Test
    void servesTheDemoPageWithPusherJsAndNeverTheSecret() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("vendor/pusher-js/pusher-8.4.0.min.js");
        assertThat(get("/vendor/pusher-js/pusher-8.4.0.min.js").body()).startsWith("/*!\n * Pusher JavaScript Library v8.4.0");
        HttpResponse<String> config = get("/demo/config");
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).contains("\"key\":\"demo-key\"").contains("auth_signature=")
                .doesNotContain("demo-secret");
    }

    @Test
    void signedCurlFromTheDemoConfigIsAccepted() throws Exception {
        String curl = RawJson.field(get("/demo/config").body(), "curl");
        String body = curl.substring(curl.indexOf("-d '") + 4, curl.indexOf("' '"));
        String url = curl.substring(curl.indexOf("' '") + 3, curl.length() - 1);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{}");
    }

    @Test
    void exposesHealthProbesAndPrometheusMetrics() throws Exception {
        assertThat(get("/actuator/health/liveness").body()).contains("\"status\":\"UP\"");
        assertThat(get("/actuator/health/readiness").body()).contains("\"status\":\"UP\"");
        assertThat(get("/actuator/health").body()).contains("\"broker\"").contains("\"channelState\"");
        server.publisher().trigger("metrics", "m", Map.of("x", 1));
        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).contains("herald_messages_published_total{app_id=\"demo-app\"}")
                .contains("herald_publish_latency_seconds_count{app_id=\"demo-app\"}")
                .contains("herald_channels_subscribed")
                .contains("herald_redis_shard_up{shard=\"0\"}");
    }
}
