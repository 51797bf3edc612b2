package io.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code herald.publish.api-request-limit=false}: a publish node behind a gateway that enforces
 * each app's API request rate leaves it to the gateway, so that no request is counted twice
 * (docs/gateway.md, "Limits").
 */
class ApiRequestLimitSwitchTest {

    @Test
    void withTheSwitchOffTheNodeDoesNotLimitApiRequests() throws Exception {
        try (ConfigurableApplicationContext context = PublishServiceApplication.builder().run("--server.port=0",
                "--herald.publish.api-request-limit=false",
                "--herald.apps[0].id=switch", "--herald.apps[0].key=switch-key",
                "--herald.apps[0].secret=switch-secret", "--herald.apps[0].max-api-requests-per-second=1");
                Pusher api = PublishApiTest.sdk("switch", "switch-key", "switch-secret",
                        Integer.parseInt(context.getEnvironment().getProperty("local.server.port")))) {
            // 1 request per second and a burst of 1: with the limit on, the second request would be 429.
            for (int i = 0; i < 10; i++) {
                Result result = api.trigger("c", "e", Map.of("i", i));
                assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
            }
        }
    }
}
