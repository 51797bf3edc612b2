package io.herald.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.config.ChannelStateConfiguration;
import io.herald.core.redis.RedisProperties;
import io.herald.core.state.redis.RedisChannelCache;
import io.herald.core.state.redis.RedisChannelState;
import java.time.Clock;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Which channel state and cache a service gets, and {@code herald.state.*}; no server is started. */
class ChannelStateConfigurationTest {

    /** What {@code HeraldCoreConfiguration} provides; the Redis properties stated directly. */
    @Configuration(proxyBeanMethods = false)
    static class Basics {

        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }

        @Bean
        RedisProperties redisProperties(Environment environment) {
            String shard = environment.getProperty("test.shard");
            return new RedisProperties(shard == null ? List.of() : List.of(URI.create(shard)), "herald:",
                    Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
        }

        @Bean(destroyMethod = "close")
        io.herald.core.redis.RedisConnections redisConnections(RedisProperties properties) {
            return new io.herald.core.redis.RedisConnections(properties);
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Basics.class, ChannelStateConfiguration.class);

    @Test
    void withoutShardsBothAreInMemoryWithTheDefaults() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(InMemoryChannelState.class).hasSingleBean(InMemoryChannelCache.class);
            assertThat(context.getBean(ChannelStateProperties.class)).isEqualTo(ChannelStateProperties.DEFAULTS);
        });
    }

    @Test
    void withShardsBothAreInRedis() {
        // nothing listens there: connections are retried in the background, start-up does not wait
        runner.withPropertyValues("test.shard=redis://127.0.0.1:1").run(context -> {
            assertThat(context).hasSingleBean(RedisChannelState.class).hasSingleBean(RedisChannelCache.class);
        });
    }

    @Test
    void propertiesBindAndBadValuesAreAllReported() {
        runner.withPropertyValues("herald.state.heartbeat-interval=2s", "herald.state.node-timeout=10s",
                "herald.state.cache-ttl=5m", "herald.state.cache-max-channels=7").run(context -> {
                    ChannelStateProperties properties = context.getBean(ChannelStateProperties.class);
                    assertThat(properties.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(properties.nodeTimeout()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(properties.cacheTtl()).isEqualTo(Duration.ofMinutes(5));
                    assertThat(properties.cacheMaxChannels()).isEqualTo(7);
                });
        runner.withPropertyValues("herald.state.heartbeat-interval=5s", "herald.state.node-timeout=10s",
                "herald.state.cache-max-channels=0").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .hasMessageContaining("herald.state.node-timeout")
                            .hasMessageContaining("herald.state.cache-max-channels");
                });
    }

    @Test
    void aDeclaredBeanWins() {
        ChannelState mine = new InMemoryChannelState(Clock.systemUTC());
        runner.withBean(ChannelState.class, () -> mine).run(context -> {
            assertThat(context.getBean(ChannelState.class)).isSameAs(mine);
        });
    }
}
