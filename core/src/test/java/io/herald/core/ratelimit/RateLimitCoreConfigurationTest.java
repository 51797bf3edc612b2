package io.herald.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.config.ImpossibleConfigurationException;
import io.herald.core.config.RateLimitCoreConfiguration;
import io.herald.core.ratelimit.http.HttpRateLimiter;
import io.herald.core.ratelimit.redis.RedisConnectionQuota;
import io.herald.core.ratelimit.redis.RedisGcraRateLimiter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Which limiter {@code RateLimitCoreConfiguration} picks, without starting a server. */
class RateLimitCoreConfigurationTest {

    static final String TOKEN = "ratelimit-token-that-must-not-leak-77";

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeraldCoreConfiguration.class, RateLimitCoreConfiguration.class));

    @Test
    void withNothingConfiguredQuotasAreInMemory() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RateLimiter.class)).isInstanceOf(InMemoryRateLimiter.class);
            assertThat(context.getBean(ConnectionQuota.class)).isInstanceOf(InMemoryConnectionQuota.class);
            assertThat(context).hasSingleBean(LeasedRateLimiter.class);
        });
    }

    @Test
    void withAStateRedisQuotasAreThere() {
        try (io.herald.core.testing.RedisServer redis = io.herald.core.testing.RedisServer.start()) {
            runner.withPropertyValues("herald.redis.state=" + redis.uri(),
                    "herald.redis.key-prefix=" + io.herald.core.testing.RedisServer.uniquePrefix()).run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(RateLimiter.class)).isInstanceOf(RedisGcraRateLimiter.class);
                assertThat(context.getBean(ConnectionQuota.class)).isInstanceOf(RedisConnectionQuota.class);
            });
        }
    }

    @Test
    void withAUrlQuotasAreDecidedByRateLimitServiceAndTheTokenIsNeverShown() {
        runner.withPropertyValues("herald.ratelimit.url=http://127.0.0.1:6004",
                "herald.ratelimit.internal-token=" + TOKEN).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RateLimiter.class)).isInstanceOf(HttpRateLimiter.class);
            assertThat(context.getBean(RateLimitProperties.class).toString()).doesNotContain(TOKEN);
        });
    }

    @Test
    void aUrlWithoutATokenIsABadConfiguration() {
        runner.withPropertyValues("herald.ratelimit.url=http://127.0.0.1:6004").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ImpossibleConfigurationException.class)
                    .hasMessageContaining("herald.ratelimit.internal-token");
        });
    }
}
