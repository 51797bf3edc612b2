package io.herald.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.herald.core.app.redis.RedisAppStore;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.redis.RedisBroker;
import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.config.RedisHealthIndicator;
import io.herald.core.state.redis.RedisChannelCache;
import io.herald.core.state.redis.RedisChannelState;
import io.herald.core.testing.RedisServer;
import io.herald.core.webhook.redis.WebhookRedisClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class RedisConnectionsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void everyAdapterOfTheProcessSharesOneSetOfConnectionsClosedOnceAfterThemAll() {
        ListAppender<ILoggingEvent> logs = capture();
        AtomicReference<RedisConnections> shared = new AtomicReference<>();
        try (RedisServer redis = RedisServer.start()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(HeraldCoreConfiguration.class))
                    .withPropertyValues("herald.redis.shards[0]=" + redis.uri(), "herald.redis.state=" + redis.uri(),
                            "herald.redis.key-prefix=" + RedisServer.uniquePrefix())
                    .run(context -> {
                        assertThat(context).hasNotFailed().hasSingleBean(RedisConnections.class)
                                .hasSingleBean(RedisBroker.class).hasSingleBean(RedisChannelState.class)
                                .hasSingleBean(RedisChannelCache.class).hasSingleBean(RedisAppStore.class)
                                .hasSingleBean(WebhookRedisClient.class);
                        RedisConnections connections = context.getBean(RedisConnections.class);
                        shared.set(connections);
                        await().atMost(TIMEOUT).until(() -> connections.health().keySet()
                                .containsAll(List.of("shard-0", RedisConnections.STATE))
                                && connections.health().values().stream().allMatch(RedisConnections.TargetHealth::up));
                        assertThat(connections.resourcesShutDown()).isFalse();
                    });
        }
        finally {
            detach(logs);
        }
        RedisConnections connections = shared.get();
        // Spring closed every adapter (each depends on the connections) before the connections.
        assertThat(connections.leftOpenAtClose()).isZero();
        assertThat(connections.resourcesShutDown()).isTrue();
        connections.close();
        assertThat(logs.list).as("nothing went wrong while closing").noneMatch(e -> e.getLevel().isGreaterOrEqual(
                Level.WARN) && (e.getLoggerName().startsWith("io.lettuce") || e.getLoggerName().startsWith("io.netty")));
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @org.springframework.boot.context.properties.EnableConfigurationProperties(RedisProperties.class)
    static class PropertiesOnly {
    }

    @Test
    void aMultiHostSentinelUriBindsAsOneShard() {
        new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class)
                .withPropertyValues("herald.redis.shards[0]=redis-sentinel://:pw@127.0.0.1:1,127.0.0.1:2/0#mymaster",
                        "herald.redis.shards[1]=redis://127.0.0.1:3")
                .run(context -> {
                    RedisConnections connections = new RedisConnections(context.getBean(RedisProperties.class));
                    assertThat(connections.shards().list()).extracting(shard -> shard.target().description())
                            .containsExactly("redis-sentinel://127.0.0.1:1,127.0.0.1:2#mymaster", "redis://127.0.0.1:3");
                    connections.close();
                });
    }

    @Test
    void aCredentialInARedisUriNeverAppearsInLogsHealthDetailsOrErrors() {
        String password = "hunter2-never-shown";
        RedisServer gone = RedisServer.start();
        int port = gone.port();
        gone.close(); // a port nobody listens on
        URI shard = URI.create("redis://herald:" + password + "@127.0.0.1:" + port);
        URI state = URI.create("redis://:" + password + "@127.0.0.1:" + port + "/1");
        ListAppender<ILoggingEvent> logs = capture();
        List<Throwable> errors = new ArrayList<>();
        Health health;
        try (RedisConnections connections = new RedisConnections(new RedisProperties(List.of(shard),
                RedisServer.uniquePrefix(), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(200),
                state))) {
            RedisChannelState channelState = new RedisChannelState(connections.shards(), Duration.ofSeconds(10));
            WebhookRedisClient webhooks = new WebhookRedisClient(connections);
            await().atMost(TIMEOUT).until(() -> logs.list.stream()
                    .filter(e -> e.getFormattedMessage().contains("is unreachable")).count() >= 2);

            errors.add(catchThrowable(() -> channelState.subscriptionCount(new ChannelKey("app-1", "c")).block(TIMEOUT)));
            errors.add(catchThrowable(() -> webhooks.run(commands -> commands.ping()).block(TIMEOUT)));
            errors.add(catchThrowable(() -> new RedisAppStore(connections)));
            health = new RedisHealthIndicator(connections).health();
            channelState.close();
            webhooks.close();
        }
        finally {
            detach(logs);
        }

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsKeys("shard-0", "state");
        assertThat(health.getDetails().toString()).contains("127.0.0.1:" + port).doesNotContain(password);
        assertThat(errors).hasSize(3).allSatisfy(error -> {
            assertThat(error).isNotNull().hasMessageContaining("127.0.0.1:" + port);
            for (Throwable t = error; t != null; t = t.getCause()) {
                assertThat(t.toString()).doesNotContain(password);
            }
        });
        assertThat(logs.list).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain(password);
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(password);
            }
        });
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        return logs;
    }

    private static void detach(ListAppender<ILoggingEvent> logs) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }
}
