package io.herald.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RedisTargetTest {

    @Test
    void aDescriptionHasNoCredentials() {
        assertThat(RedisTarget.of(URI.create("redis://user:secret@redis.example:6380/2")).description())
                .isEqualTo("redis://redis.example:6380/2");
        assertThat(RedisTarget.of(URI.create("rediss://:secret@redis.example")).description())
                .isEqualTo("rediss://redis.example:6379");
        assertThat(RedisTarget.of(URI.create("redis://:secret@redis.example")).toString())
                .isEqualTo("redis://redis.example:6379");
    }

    @Test
    void aSentinelUriWithSeveralHostsNamesEachHostAndTheMaster() {
        RedisTarget target = RedisTarget.of(URI.create("redis-sentinel://:secret@s1.example:26379,s2.example:26380/0#mymaster"));

        assertThat(target.description()).isEqualTo("redis-sentinel://s1.example:26379,s2.example:26380#mymaster");
        assertThat(target.uri().getSentinels()).hasSize(2);
        assertThat(target.uri().getSentinelMasterId()).isEqualTo("mymaster");
    }

    @Test
    void aSentinelUriWithOneHost() {
        assertThat(RedisTarget.of(URI.create("redis-sentinel://s1.example:26379/3?sentinelMasterId=m1")).description())
                .isEqualTo("redis-sentinel://s1.example:26379/3#m1");
    }

    @Test
    void aUriThatIsNotRedisFailsWithoutRepeatingIt() {
        assertThatThrownBy(() -> RedisTarget.of(URI.create("http://user:secret@example.com/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheme http")
                .hasMessageNotContaining("secret");
    }
}
