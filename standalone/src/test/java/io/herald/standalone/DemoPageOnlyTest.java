package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The standalone server with every role switched off, as docker/compose.yaml's {@code demo} service
 * runs it behind the gateway: it serves the demo page and a {@code curl} signed for the gateway's
 * address (X-Forwarded-*), and nothing of Herald's protocol.
 */
class DemoPageOnlyTest {

    static StandaloneServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = new StandaloneServer(Map.of("herald.edge.enabled", false, "herald.publish.enabled", false,
                "herald.auth.enabled", false, "herald.ratelimit.enabled", false, "herald.metrics.enabled", false,
                "herald.warmup.enabled", false, "server.forward-headers-strategy", "framework"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(path)));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageAndACurlSignedForTheProxysAddress() throws Exception {
        assertThat(get("/").body()).contains("vendor/pusher-js/pusher-8.4.0.min.js");
        assertThat(get("/vendor/pusher-js/pusher-8.4.0.min.js").statusCode()).isEqualTo(200);
        HttpResponse<String> config = get("/demo/config", "X-Forwarded-Host", "herald.example:6000",
                "X-Forwarded-Proto", "http");
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(RawJson.field(config.body(), "curl"))
                .contains("'http://herald.example:6000/apps/demo-app/events?auth_key=demo-key&")
                .contains("auth_signature=");
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
    }

    @Test
    void runsNoRole() throws Exception {
        assertThat(get("/apps/demo-app/channels").statusCode()).isEqualTo(404);
        assertThat(get("/app/demo-key?protocol=7").statusCode()).isEqualTo(404);
        assertThat(get("/dashboard/login").statusCode()).isEqualTo(404);
    }
}
