package io.herald.publish.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.webhook.WebhookQueueConsumer;
import io.herald.publish.config.PublishConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.function.server.RouterFunction;

/** The dispatcher's wiring and properties; starts no server. */
class WebhookDispatcherConfigurationTest {

    /** Both roles of publish-service, as auto-configurations, with nothing switched on. */
    private final ApplicationContextRunner roles = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PublishConfiguration.class, WebhookDispatcherConfiguration.class));

    /** publish-service: the publish role on. */
    private final ApplicationContextRunner runner = roles.withPropertyValues("herald.publish.enabled=true");

    @Test
    void withNeitherSwitchThereIsNoDispatcher() {
        roles.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(WebhookDispatcher.class)
                .doesNotHaveBean(WebhookSender.class).doesNotHaveBean(WebhookQueueConsumer.class));
    }

    @Test
    void theDispatcherCanRunWithoutThePublishRole() {
        roles.withPropertyValues("herald.webhooks.dispatcher.enabled=true").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(WebhookDispatcher.class)
                    .doesNotHaveBean(RouterFunction.class);
            assertThat(context.getBean(WebhookDispatcher.class).isRunning()).isTrue();
        });
    }

    @Test
    void publishServiceRunsADispatcherOnTheCoreQueueByDefault() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(WebhookDispatcher.class).hasSingleBean(WebhookSender.class);
            assertThat(context.getBean(WebhookDispatcher.class).isRunning()).isTrue();
            assertThat(context.getBean(WebhookDispatcherProperties.class))
                    .isEqualTo(WebhookDispatcherProperties.defaults());
            assertThat(context).hasSingleBean(WebhookQueueConsumer.class);
        });
    }

    @Test
    void theRoleCanBeSwitchedOff() {
        runner.withPropertyValues("herald.webhooks.dispatcher.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(WebhookDispatcher.class).doesNotHaveBean(WebhookSender.class)
                    .hasBean("publishRoutes");
        });
    }

    @Test
    void propertiesBind() {
        runner.withPropertyValues("herald.webhooks.dispatcher.batch-max-events=5",
                "herald.webhooks.dispatcher.retry-period=90s", "herald.webhooks.dispatcher.consumer-name=d1",
                "herald.webhooks.dispatcher.circuit-breaker.wait-in-open=10s").run(context -> {
                    WebhookDispatcherProperties properties = context.getBean(WebhookDispatcherProperties.class);
                    assertThat(properties.batchMaxEvents()).isEqualTo(5);
                    assertThat(properties.retryPeriod()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(properties.circuitBreaker().waitInOpen()).isEqualTo(Duration.ofSeconds(10));
                    // the cap (4 s by default) never undercuts the first wait: an older fixed-wait setting keeps working
                    assertThat(properties.circuitBreaker().maxWaitInOpen()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(properties.circuitBreaker().minimumCalls()).isEqualTo(5);
                    assertThat(context.getBean(WebhookDispatcher.class).name()).isEqualTo("d1");
                });
    }

    @Test
    void theCircuitIsProbedAfterOneSecondDoublingToTwoByDefault() {
        runner.run(context -> {
            WebhookDispatcherProperties.CircuitBreaker breaker =
                    context.getBean(WebhookDispatcherProperties.class).circuitBreaker();
            assertThat(breaker).isEqualTo(WebhookDispatcherProperties.CircuitBreaker.DEFAULTS);
            assertThat(breaker.waitInOpen()).isEqualTo(Duration.ofSeconds(1));
            assertThat(breaker.maxWaitInOpen()).isEqualTo(Duration.ofSeconds(2));
        });
        runner.withPropertyValues("herald.webhooks.dispatcher.circuit-breaker.max-wait-in-open=20s").run(context ->
                assertThat(context.getBean(WebhookDispatcherProperties.class).circuitBreaker().maxWaitInOpen())
                        .isEqualTo(Duration.ofSeconds(20)));
    }

    @Test
    void badValuesAreAllReportedAtStart() {
        runner.withPropertyValues("herald.webhooks.dispatcher.batch-max-events=0",
                "herald.webhooks.dispatcher.retry-period=0s").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .hasMessageContaining("herald.webhooks.dispatcher.batch-max-events must be positive")
                            .hasMessageContaining("herald.webhooks.dispatcher.retry-period must be positive");
                });
    }

    @Test
    void theDefaultConsumerNameIsUniquePerProcess() {
        runner.run(first -> runner.run(second -> assertThat(first.getBean(WebhookDispatcher.class).name())
                .isNotEqualTo(second.getBean(WebhookDispatcher.class).name())));
    }
}
