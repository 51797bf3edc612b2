package io.herald.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.config.ImpossibleConfigurationException;
import io.herald.core.testing.ServerTesting;
import io.herald.gateway.GatewayApplication;
import io.herald.gateway.ratelimit.TenantRateLimiter;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** When the gateway limits tenants' API requests, and what it refuses to start with. */
class TenantLimitConfigurationTest {

    @Test
    void withoutRateLimitServiceTheGatewayLimitsNothingPerTenant() {
        try (ConfigurableApplicationContext gateway = GatewayApplication.builder()
                .initializers(ServerTesting::ownEventLoops).run("--server.port=0")) {
            assertThat(gateway.getBeanProvider(TenantRateLimiter.class).getIfAvailable()).isNull();
        }
    }

    @Test
    void rateLimitServiceWithoutAuthServiceIsRefusedAtStartUp() {
        assertThatThrownBy(() -> GatewayApplication.builder().initializers(ServerTesting::ownEventLoops)
                .run("--server.port=0", "--herald.ratelimit.url=http://127.0.0.1:9",
                        "--herald.ratelimit.internal-token=t").close())
                .hasRootCauseInstanceOf(ImpossibleConfigurationException.class)
                .rootCause().hasMessageContaining("herald.auth.url");
    }

    @Test
    void rateLimitServiceWithoutItsTokenIsRefusedAtStartUp() {
        assertThatThrownBy(() -> GatewayApplication.builder().initializers(ServerTesting::ownEventLoops)
                .run("--server.port=0", "--herald.ratelimit.url=http://127.0.0.1:9",
                        "--herald.auth.url=http://127.0.0.1:9", "--herald.auth.internal-token=t").close())
                .hasRootCauseInstanceOf(ImpossibleConfigurationException.class)
                .rootCause().hasMessageContaining("herald.ratelimit.internal-token");
    }
}
