package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * What the standalone server prints at start: the built-in demo app's credentials, secret included,
 * but never the secret of an app from the operator's own configuration (a container ships its
 * output to its logs).
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupSummaryTest {

    static final String SHOP_SECRET = "shop-secret-8c0f5e2a71d94b36";
    /** An app that has the demo's id and key but a real secret: the operator's, not the demo. */
    static final String LOOKALIKE_SECRET = "lookalike-secret-1b7e9d3c40";

    @Test
    void printsIdsAndKeysOfConfiguredAppsButNeverTheirSecrets(CapturedOutput output) throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of(
                "herald.apps[0].id", "shop", "herald.apps[0].key", "shop-key", "herald.apps[0].secret", SHOP_SECRET,
                "herald.apps[1].id", "demo-app", "herald.apps[1].key", "demo-key",
                "herald.apps[1].secret", LOOKALIKE_SECRET))) {
            assertThat(output.getAll()).doesNotContain(SHOP_SECRET).doesNotContain(LOOKALIKE_SECRET)
                    .doesNotContain("auth_signature=");
            assertThat(output.getOut()).contains("Herald is running: http://localhost:" + server.port + "/")
                    .contains("id: shop   key: shop-key").contains("id: demo-app   key: demo-key");
            // Nor does the demo page hand out requests signed with an operator's secret.
            HttpResponse<String> config = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.http("/demo/config"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(config.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void printsTheBuiltInDemoAppsSecret(CapturedOutput output) {
        try (StandaloneServer server = new StandaloneServer(Map.of())) {
            assertThat(output.getOut()).contains("Demo app   id: demo-app   key: demo-key   secret: demo-secret")
                    .contains("auth_signature=").contains("set HERALD_DEMO_SECRET");
        }
    }

    @Test
    void printsTheDemoSecretSetWithHeraldDemoSecret(CapturedOutput output) {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.demo.secret", "a-better-demo-secret"))) {
            assertThat(output.getOut())
                    .contains("Demo app   id: demo-app   key: demo-key   secret: a-better-demo-secret")
                    .doesNotContain("set HERALD_DEMO_SECRET");
        }
    }
}
