package io.herald.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Values under which every Redis command or connection would fail are refused at start, all at once. */
class RedisPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Bound.class);

    @Test
    void theDefaultsAndUsualUrisBind() {
        runner.withPropertyValues("herald.redis.shards[0]=redis://127.0.0.1:6379",
                "herald.redis.shards[1]=redis-sentinel://127.0.0.1:26379#mymaster",
                "herald.redis.state=rediss://:secret@redis.example:6380/0").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(RedisProperties.class).shards()).hasSize(2);
                });
    }

    @Test
    void refusesTimeoutsAndUrisThatCouldNeverWork() {
        runner.withPropertyValues("herald.redis.shards[0]=localhost:6379",
                "herald.redis.state=http://user:hunter2@127.0.0.1:6379", "herald.redis.command-timeout=0s",
                "herald.redis.connect-timeout=-1s", "herald.redis.reconnect-max-delay=50ms").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .hasMessageContaining("herald.redis.shards[0] must be a redis://")
                            .hasMessageContaining("herald.redis.state must be a redis://")
                            .hasMessageContaining("herald.redis.command-timeout must be positive")
                            .hasMessageContaining("herald.redis.connect-timeout must be positive")
                            .hasMessageContaining("herald.redis.reconnect-max-delay must be more than 50ms")
                            .hasMessageNotContaining("hunter2");
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(RedisProperties.class)
    static class Bound {
    }
}
