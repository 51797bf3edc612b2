package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo app's secret is changed with one setting (HERALD_DEMO_SECRET), keeping its id and key. */
class DemoSecretTest {

    @Test
    void theDemoSecretIsConfigurableOnItsOwn() throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.demo.secret", "a-better-secret"))) {
            com.pusher.rest.Pusher withNewSecret = new com.pusher.rest.Pusher("demo-app", "demo-key", "a-better-secret");
            withNewSecret.setHost("127.0.0.1:" + server.port);
            withNewSecret.setEncrypted(false);
            com.pusher.rest.Pusher withOldSecret = server.publisher();
            assertThat(withNewSecret.trigger("demo", "e", Map.of("x", 1)).getHttpStatus()).isEqualTo(200);
            assertThat(withOldSecret.trigger("demo", "e", Map.of("x", 1)).getHttpStatus()).isEqualTo(401);
            withNewSecret.close();
            withOldSecret.close();
        }
    }
}
