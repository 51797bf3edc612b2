package io.herald.core.config;

import io.herald.core.app.AppsProperties;
import io.herald.core.broker.Broker;
import io.herald.core.broker.FanoutLanes;
import io.herald.core.broker.FanoutProperties;
import io.herald.core.broker.InMemoryBroker;
import io.herald.core.broker.netty.EventLoopLaneWaker;
import io.herald.core.broker.redis.RedisBroker;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The beans every Herald service shares: the clock, the Redis connections and the broker here; apps and signature
 * verification ({@link AppConfiguration}), channel state ({@link ChannelStateConfiguration}),
 * the webhook queue ({@link WebhookCoreConfiguration}) and the limits on slow HTTP clients
 * ({@link HttpServerConfiguration}) in the imported configurations. Each
 * service configuration imports this one; in the standalone server they all share one set.
 *
 * <p>Every Redis adapter (broker, channel state and cache, app store, webhook queue and failure
 * log) connects through the one {@link RedisConnections} bean: one Lettuce client and its
 * resources for the process, one shard router, closed after every adapter (each depends on it).
 * With {@code herald.redis.shards} set the broker is a {@link RedisBroker}; without it, an
 * {@link InMemoryBroker}, which is right only for a single process. Every bean can be replaced
 * by declaring one of the same type.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ AppsProperties.class, RedisProperties.class, FanoutProperties.class })
@Import({ AppConfiguration.class, ChannelStateConfiguration.class, WebhookCoreConfiguration.class,
        UsageCoreConfiguration.class,
        DebugCoreConfiguration.class,
        HttpServerConfiguration.class })
public class HeraldCoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(HeraldCoreConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    public Clock heraldClock() {
        return Clock.systemUTC();
    }

    /**
     * The process's Redis connections. Cheap when no Redis is configured: nothing is started
     * before the first connection.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RedisConnections redisConnections(RedisProperties redis) {
        return new RedisConnections(redis);
    }

    /**
     * The threads the local fan-out of broker messages runs on, so that a publish is answered once
     * the broker has it and Lettuce's I/O thread only decodes; a hand-off from an event loop wakes
     * its lane after the loop's current task (the publish's answer is written first). Closed after
     * the broker.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public FanoutLanes fanoutLanes(FanoutProperties properties) {
        return properties.lanes(new EventLoopLaneWaker());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Broker broker(RedisConnections redis, FanoutLanes lanes) {
        if (redis.hasShards()) {
            log.info("Using {} Redis shard(s) for channels: {}", redis.shards().size(),
                    redis.shards().list().stream().map(shard -> shard.target().description()).toList());
            return new RedisBroker(redis.shards(), lanes);
        }
        log.info("No herald.redis.shards configured: using the in-memory broker (single process only)");
        return new InMemoryBroker(lanes);
    }

    /** The fan-out's backlog and refusals. */
    @Bean
    public MeterBinder fanoutMeters(FanoutLanes lanes) {
        return registry -> {
            Gauge.builder(HeraldMeters.FANOUT_QUEUED.meterName(), lanes, FanoutLanes::queued)
                    .description("Broker messages handed to the local fan-out and not delivered yet")
                    .register(registry);
            FunctionCounter.builder(HeraldMeters.FANOUT_REJECTED.meterName(), lanes, FanoutLanes::rejected)
                    .description("Broker messages refused by the local fan-out because their lane was full")
                    .register(registry);
        };
    }

    @Bean
    public HealthIndicator brokerHealthIndicator(Broker broker) {
        return () -> {
            List<Boolean> shards = broker.shardHealth();
            Health.Builder builder = shards.contains(false) ? Health.down() : Health.up();
            for (int i = 0; i < shards.size(); i++) {
                builder.withDetail("shard-" + i, shards.get(i) ? "UP" : "DOWN");
            }
            return builder.build();
        };
    }

    /** DOWN while a connection to a shard or to the state Redis is not open; see {@link RedisHealthIndicator}. */
    @Bean
    public HealthIndicator redisHealthIndicator(RedisConnections redis) {
        return new RedisHealthIndicator(redis);
    }

    /** One gauge per Redis shard: 1 when reachable. */
    @Bean
    public MeterBinder brokerShardMeters(Broker broker) {
        return registry -> {
            int shards = broker.shardHealth().size();
            for (int i = 0; i < shards; i++) {
                int shard = i;
                Gauge.builder(HeraldMeters.REDIS_SHARD_UP.meterName(), broker, b -> b.shardHealth().get(shard) ? 1 : 0)
                        .tag("shard", String.valueOf(shard))
                        .description("1 when the Redis shard is reachable")
                        .register(registry);
            }
        };
    }

    /** Caps the number of distinct {@code app_id} tag values, so a large tenant count cannot flood metrics. */
    @Bean
    public MeterFilter heraldAppIdCardinalityLimit() {
        return MeterFilter.maximumAllowableTags("herald", HeraldMeters.APP_ID, HeraldMeters.MAX_APP_ID_TAGS,
                MeterFilter.deny());
    }
}
