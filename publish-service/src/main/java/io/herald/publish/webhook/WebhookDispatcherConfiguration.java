package io.herald.publish.webhook;

import io.herald.core.app.AppStore;
import io.herald.core.webhook.WebhookFailureLog;
import io.herald.core.webhook.WebhookQueueConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The webhook dispatcher role of publish-service, on unless
 * {@code herald.webhooks.dispatcher.enabled=false} (for example on replicas that should only
 * serve the HTTP API). Reads the {@link WebhookQueueConsumer} and writes the
 * {@link WebhookFailureLog} of {@code HeraldCoreConfiguration}, so in one process with in-memory
 * adapters it sends what the edges of the same process queued, and with a state Redis it is one
 * of the cluster's dispatchers. Every bean can be replaced by declaring one of the same type.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "herald.webhooks.dispatcher.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WebhookDispatcherProperties.class)
public class WebhookDispatcherConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public WebhookSender webhookSender(WebhookDispatcherProperties properties) {
        return new WebhookSender(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    public WebhookDispatcher webhookDispatcher(WebhookQueueConsumer queue, AppStore apps, WebhookSender sender,
            WebhookFailureLog failures, ObjectProvider<MeterRegistry> registry, Clock clock,
            WebhookDispatcherProperties properties) {
        return new WebhookDispatcher(queue, apps, sender, failures, registry.getIfAvailable(() -> Metrics.globalRegistry),
                clock, properties);
    }
}
