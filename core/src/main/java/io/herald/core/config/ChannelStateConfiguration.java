package io.herald.core.config;

import io.herald.core.redis.RedisConnections;
import io.herald.core.state.ChannelCache;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelStateProperties;
import io.herald.core.state.InMemoryChannelCache;
import io.herald.core.state.InMemoryChannelState;
import io.herald.core.state.redis.RedisChannelCache;
import io.herald.core.state.redis.RedisChannelState;
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

/**
 * Cluster-wide channel state (occupancy, presence) and the cache-channel store.
 *
 * <p>With {@code herald.redis.shards} set both live in Redis on each channel's shard
 * ({@link RedisChannelState}, {@link RedisChannelCache}); without it, in memory, which is right
 * only for a single process. Either bean can be replaced by declaring one of the same type. Who
 * heartbeats and reaps is the edge's business; the intervals are in {@link ChannelStateProperties}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChannelStateProperties.class)
public class ChannelStateConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ChannelStateConfiguration.class);

    /** Closed by Spring: {@code RedisChannelState} is {@link AutoCloseable} (inferred destroy method). */
    @Bean
    @ConditionalOnMissingBean
    public ChannelState channelState(RedisConnections redis, ChannelStateProperties properties, Clock clock) {
        if (redis.hasShards()) {
            log.info("Channel state (occupancy, presence) in Redis on {} shard(s)", redis.shards().size());
            return new RedisChannelState(redis.shards(), properties.reapLockTtl());
        }
        return new InMemoryChannelState(clock);
    }

    @Bean
    @ConditionalOnMissingBean
    public ChannelCache channelCache(RedisConnections redis, ChannelStateProperties properties, Clock clock) {
        if (redis.hasShards()) {
            return new RedisChannelCache(redis.shards());
        }
        return new InMemoryChannelCache(clock, properties.cacheMaxChannels());
    }

    /** DOWN while any shard holding channel state is unreachable (occupancy, presence, queries). */
    @Bean
    public HealthIndicator channelStateHealthIndicator(ChannelState state) {
        return () -> {
            if (!(state instanceof RedisChannelState redis)) {
                return Health.up().withDetail("store", "memory").build();
            }
            List<Boolean> shards = redis.shardHealth();
            Health.Builder builder = shards.contains(false) ? Health.down() : Health.up();
            for (int i = 0; i < shards.size(); i++) {
                builder.withDetail("shard-" + i, shards.get(i) ? "UP" : "DOWN");
            }
            return builder.build();
        };
    }
}
