package io.herald.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.app.AppStore;
import io.herald.core.app.StaticAppStore;
import io.herald.core.config.WebhookCoreConfiguration;
import io.herald.core.redis.RedisProperties;
import io.herald.core.webhook.redis.RedisWebhookFailureLog;
import io.herald.core.webhook.redis.RedisWebhookQueue;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/** Which webhook queue and failure log {@link WebhookCoreConfiguration} provides; starts no server. */
class WebhookCoreConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Dependencies.class);

    @Test
    void withoutAStateRedisTheQueueAndLogAreInMemoryAndTheQueueIsAlsoTheConsumer() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(WebhookQueue.class).hasSingleBean(WebhookFailureLog.class);
            assertThat(context.getBean(WebhookQueue.class)).isInstanceOf(InMemoryWebhookQueue.class);
            assertThat(context.getBean(WebhookQueueConsumer.class)).isSameAs(context.getBean(WebhookQueue.class));
            assertThat(context.getBean(WebhookFailureLog.class)).isInstanceOf(InMemoryWebhookFailureLog.class);
        });
    }

    @Test
    void withAStateRedisTheyAreOnRedisAndNothingConnectsAtStart() {
        // Nothing listens on port 1: the context must start anyway (connections are opened on first use).
        runner.withPropertyValues("herald.redis.state=redis://127.0.0.1:1").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(WebhookQueue.class);
            assertThat(context.getBean(WebhookQueue.class)).isInstanceOf(RedisWebhookQueue.class);
            assertThat(context.getBean(WebhookQueueConsumer.class)).isSameAs(context.getBean(WebhookQueue.class));
            assertThat(context.getBean(WebhookFailureLog.class)).isInstanceOf(RedisWebhookFailureLog.class);
        });
    }

    @Test
    void aQueueOrLogDeclaredEarlierWins() {
        new ApplicationContextRunner().withUserConfiguration(Replacements.class).run(context -> {
            assertThat(context).hasSingleBean(WebhookQueue.class).hasSingleBean(WebhookFailureLog.class);
            assertThat(context.getBean(WebhookQueue.class)).isSameAs(Replacements.QUEUE);
            assertThat(context.getBean(WebhookFailureLog.class)).isSameAs(Replacements.LOG);
        });
    }

    @Configuration(proxyBeanMethods = false)
    @Import(WebhookCoreConfiguration.class)
    static class Dependencies {

        /**
         * Built by hand, not bound: what is under test is this configuration, and binding
         * {@code RedisProperties} is {@code HeraldCoreConfiguration}'s job.
         */
        @Bean
        RedisProperties redisProperties(Environment environment) {
            return new RedisProperties(List.of(), "herald:", Duration.ofSeconds(2), Duration.ofSeconds(2),
                    Duration.ofSeconds(2), environment.getProperty("herald.redis.state", URI.class));
        }

        @Bean(destroyMethod = "close")
        io.herald.core.redis.RedisConnections redisConnections(RedisProperties properties) {
            return new io.herald.core.redis.RedisConnections(properties);
        }

        @Bean
        AppStore appStore() {
            return new StaticAppStore(List.of());
        }

        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ReplacementBeans {

        @Bean
        WebhookQueue myQueue() {
            return Replacements.QUEUE;
        }

        @Bean
        WebhookFailureLog myLog() {
            return Replacements.LOG;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import({ ReplacementBeans.class, Dependencies.class })
    static class Replacements {

        static final InMemoryWebhookQueue QUEUE = new InMemoryWebhookQueue(new StaticAppStore(List.of()));
        static final WebhookFailureLog LOG = new InMemoryWebhookFailureLog(3);
    }
}
