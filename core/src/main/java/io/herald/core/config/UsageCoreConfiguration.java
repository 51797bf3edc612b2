package io.herald.core.config;

import io.herald.core.metrics.HeraldMeters;
import io.herald.core.redis.RedisConnections;
import io.herald.core.usage.InMemoryUsageStream;
import io.herald.core.usage.UsageCounter;
import io.herald.core.usage.UsageFlusher;
import io.herald.core.usage.UsageProperties;
import io.herald.core.usage.UsageSink;
import io.herald.core.usage.UsageStream;
import io.herald.core.usage.redis.RedisUsageStream;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import reactor.core.scheduler.Schedulers;

/**
 * Usage counting ({@code herald.usage.*}): the {@link UsageSink} services count into, and the
 * {@link UsageStream} it is flushed to once a second.
 *
 * <p>The stream is a Redis Stream on the state Redis when {@code herald.redis.state} is set,
 * else a bounded queue in memory, which only a metrics role in the same process reads (the
 * standalone server). With {@code herald.usage.enabled=false} the sink is
 * {@link UsageSink#NONE} and nothing is flushed.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(UsageProperties.class)
@Import({ UsageCoreConfiguration.Counting.class, UsageCoreConfiguration.NotCounting.class,
        UsageCoreConfiguration.RedisStream.class, UsageCoreConfiguration.InMemoryStream.class })
public class UsageCoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(UsageCoreConfiguration.class);

    /** The switch of usage counting. */
    public static final String ENABLED = "herald.usage.enabled";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = ENABLED, matchIfMissing = true)
    static class Counting {

        @Bean
        @ConditionalOnMissingBean(UsageSink.class)
        UsageCounter usageCounter() {
            return new UsageCounter();
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        UsageFlusher usageFlusher(UsageCounter counter, UsageStream stream, Clock clock, UsageProperties properties) {
            return new UsageFlusher(counter, stream, clock, properties.flushInterval(), properties.maxPending(),
                    Duration.ofSeconds(2), null, Schedulers.parallel());
        }

        @Bean
        MeterBinder usageFlusherMeters(UsageFlusher flusher) {
            return registry -> {
                Gauge.builder(HeraldMeters.USAGE_DELTAS_PENDING.meterName(), flusher, UsageFlusher::pending)
                        .description("Usage deltas not yet sent to the usage stream (kept and resent)")
                        .register(registry);
                FunctionCounter.builder(HeraldMeters.USAGE_DELTAS_DROPPED.meterName(), flusher, UsageFlusher::dropped)
                        .description("Usage deltas dropped because too many waited for the usage stream")
                        .register(registry);
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = ENABLED, havingValue = false)
    static class NotCounting {

        @Bean
        @ConditionalOnMissingBean(UsageSink.class)
        UsageSink noUsageSink() {
            log.info("Usage counting is off (herald.usage.enabled=false)");
            return UsageSink.NONE;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(WebhookCoreConfiguration.OnStateRedis.class)
    static class RedisStream {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(UsageStream.class)
        RedisUsageStream redisUsageStream(RedisConnections redis, UsageProperties properties) {
            return new RedisUsageStream(redis, properties.streamMaxLength());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(WebhookCoreConfiguration.OnNoStateRedis.class)
    static class InMemoryStream {

        @Bean
        @ConditionalOnMissingBean(UsageStream.class)
        InMemoryUsageStream inMemoryUsageStream() {
            return new InMemoryUsageStream(InMemoryUsageStream.DEFAULT_CAPACITY);
        }
    }
}
