package io.herald.publish.webhook;

import io.herald.core.debug.DebugConsole;

import io.herald.core.app.AppStore;
import io.herald.core.config.AppSecretsRequired;
import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.webhook.WebhookFailureLog;
import io.herald.core.webhook.WebhookQueueConsumer;
import io.herald.core.usage.UsageSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

/**
 * The webhook dispatcher role, a Spring Boot auto-configuration: on with
 * {@value #ENABLED}{@code =true}, off with {@code false}, and when that is not set, on exactly
 * where the publish role ({@code herald.publish.enabled}) is — so publish-service and the
 * standalone server dispatch by default, an edge never does, and a replica can serve only the
 * HTTP API ({@code false}) or only dispatch ({@code herald.publish.enabled=false} and this
 * {@code true}). See {@link DispatcherRoleCondition}.
 *
 * <p>Reads the {@link WebhookQueueConsumer} and writes the {@link WebhookFailureLog} of
 * {@code HeraldCoreConfiguration}, so in one process with in-memory adapters it sends what the
 * edges of the same process queued, and with a state Redis it is one of the cluster's
 * dispatchers. Every bean can be replaced by declaring one of the same type.
 */
@AutoConfiguration
@Conditional(DispatcherRoleCondition.class)
@Import(HeraldCoreConfiguration.class)
@EnableConfigurationProperties(WebhookDispatcherProperties.class)
public class WebhookDispatcherConfiguration {

    /** The role's switch; when not set, the role follows {@code herald.publish.enabled}. */
    public static final String ENABLED = "herald.webhooks.dispatcher.enabled";

    /** Refuses to start with {@code herald.auth.url}: webhooks are signed with the apps' secrets. */
    @Bean
    public static AppSecretsRequired dispatcherNeedsAppSecrets() {
        return new AppSecretsRequired("the webhook dispatcher");
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public WebhookSender webhookSender(WebhookDispatcherProperties properties, Clock clock) {
        return new WebhookSender(properties, clock);
    }

    @Bean
    @ConditionalOnMissingBean
    public WebhookDispatcher webhookDispatcher(WebhookQueueConsumer queue, AppStore apps, WebhookSender sender,
            WebhookFailureLog failures, ObjectProvider<MeterRegistry> registry, Clock clock,
            WebhookDispatcherProperties properties, ObjectProvider<UsageSink> usage, DebugConsole debug) {
        return new WebhookDispatcher(queue, apps, sender, failures, registry.getIfAvailable(() -> Metrics.globalRegistry),
                clock, properties, usage.getIfAvailable(() -> UsageSink.NONE), debug);
    }
}
