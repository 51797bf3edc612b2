package io.herald.core.config;

import io.herald.core.app.AppStore;
import io.herald.core.redis.RedisConnections;
import io.herald.core.webhook.InMemoryWebhookFailureLog;
import io.herald.core.webhook.InMemoryWebhookQueue;
import io.herald.core.webhook.WebhookEventFilter;
import io.herald.core.webhook.WebhookFailureLog;
import io.herald.core.webhook.WebhookQueue;
import io.herald.core.webhook.redis.RedisWebhookFailureLog;
import io.herald.core.webhook.redis.RedisWebhookQueue;
import io.herald.core.webhook.redis.WebhookBufferProperties;
import io.herald.core.webhook.redis.WebhookRedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * The webhook queue producers write to (and dispatchers read from, the same bean is the
 * {@link io.herald.core.webhook.WebhookQueueConsumer}), and the failure log.
 *
 * <p>With {@code herald.redis.state} set: a {@link RedisWebhookQueue} (one Redis Stream) and a
 * {@link RedisWebhookFailureLog}, shared by every node of the cluster. Without it: an
 * {@link InMemoryWebhookQueue} and an {@link InMemoryWebhookFailureLog}, right only for a single
 * process (the standalone server). Either can be replaced by declaring a {@link WebhookQueue} or
 * {@link WebhookFailureLog} bean in a configuration processed earlier.
 */
@Configuration(proxyBeanMethods = false)
@Import({ WebhookCoreConfiguration.RedisWebhooks.class, WebhookCoreConfiguration.InMemoryWebhooks.class })
public class WebhookCoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WebhookCoreConfiguration.class);

    private static final String STATE_PROPERTY = "herald.redis.state";

    /** On the state Redis. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(OnStateRedis.class)
    @EnableConfigurationProperties(WebhookBufferProperties.class)
    static class RedisWebhooks {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        WebhookRedisClient webhookRedisClient(RedisConnections redis) {
            return new WebhookRedisClient(redis);
        }

        @Bean
        @ConditionalOnMissingBean(WebhookQueue.class)
        RedisWebhookQueue redisWebhookQueue(WebhookRedisClient redis, AppStore apps, WebhookBufferProperties buffer,
                ObjectProvider<MeterRegistry> meters) {
            log.info("Webhook queue: Redis Stream {}webhooks on the state Redis", redis.keyPrefix());
            return new RedisWebhookQueue(redis, new WebhookEventFilter(apps), RedisWebhookQueue.DEFAULT_MAX_LENGTH,
                    buffer, meters.getIfAvailable(SimpleMeterRegistry::new));
        }

        @Bean
        @ConditionalOnMissingBean(WebhookFailureLog.class)
        RedisWebhookFailureLog redisWebhookFailureLog(WebhookRedisClient redis) {
            return new RedisWebhookFailureLog(redis);
        }
    }

    /** In this process's memory, when there is no state Redis. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(OnNoStateRedis.class)
    static class InMemoryWebhooks {

        @Bean
        @ConditionalOnMissingBean(WebhookQueue.class)
        InMemoryWebhookQueue inMemoryWebhookQueue(AppStore apps, Clock clock) {
            return new InMemoryWebhookQueue(new WebhookEventFilter(apps), InMemoryWebhookQueue.DEFAULT_CAPACITY,
                    clock);
        }

        @Bean
        @ConditionalOnMissingBean(WebhookFailureLog.class)
        InMemoryWebhookFailureLog inMemoryWebhookFailureLog() {
            return new InMemoryWebhookFailureLog();
        }
    }

    /** {@code herald.redis.state} is set (and not blank). */
    static final class OnStateRedis implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return StringUtils.hasText(context.getEnvironment().getProperty(STATE_PROPERTY));
        }
    }

    static final class OnNoStateRedis implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty(STATE_PROPERTY));
        }
    }
}
