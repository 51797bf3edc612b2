package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.herald.core.config.ImpossibleConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The standalone server is edge and publish-service in one process, sharing one app store: with
 * {@code herald.auth.url} that store would be auth-service's public view, and the HTTP API would
 * fail every request. It refuses to start instead.
 */
class StandaloneAuthUrlTest {

    @Test
    void refusesAnAuthUrl() {
        Throwable failure = catchThrowable(() -> new StandaloneServer(Map.of("herald.auth.url", "http://127.0.0.1:6003",
                "herald.auth.internal-token", "internal-token-2f8d6b1a9e4c")).close());

        assertThat(failure).isInstanceOf(ImpossibleConfigurationException.class)
                .hasMessageContaining("Remove herald.auth.url");
    }
}
