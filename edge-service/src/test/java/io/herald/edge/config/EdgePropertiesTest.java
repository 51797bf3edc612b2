package io.herald.edge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Values under which every connection would end at once are refused at start. */
class EdgePropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Bound.class);

    @Test
    void theDefaultsBind() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(EdgeProperties.class).userAuthenticationTimeout())
                    .isEqualTo(Duration.ofSeconds(30));
        });
    }

    @Test
    void refusesAFrameSizeNoFrameFits() {
        assertRefused("herald.edge.max-frame-size=0B", "herald.edge.max-frame-size must be at least 1B");
    }

    @Test
    void refusesAUserAuthenticationTimeoutNoConnectionSurvives() {
        assertRefused("herald.edge.user-authentication-timeout=0s",
                "herald.edge.user-authentication-timeout must be positive");
    }

    @Test
    void refusesABoundOnChannelStateCommandsNoSubscribeFits() {
        assertRefused("herald.edge.max-state-commands-in-flight=0",
                "herald.edge.max-state-commands-in-flight must be at least 1");
        assertRefused("herald.edge.state-repair-interval=0s", "herald.edge.state-repair-interval must be positive");
    }

    @Test
    void refusesNegativeDelays() {
        assertRefused("herald.edge.webhook-leave-delay=-1s", "herald.edge.webhook-leave-delay must be zero or more");
        assertRefused("herald.edge.drain-period=-1s", "herald.edge.drain-period must be zero or more");
        assertRefused("herald.edge.drain-handover=-1s", "herald.edge.drain-handover must be between 0s and 1m");
        assertRefused("herald.edge.drain-handover=2m", "herald.edge.drain-handover must be between 0s and 1m");
    }

    private void assertRefused(String property, String message) {
        runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message);
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(EdgeProperties.class)
    static class Bound {
    }
}
