package io.herald.core.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The broker on a shard given as a {@code redis-sentinel://} URI with two real Sentinels
 * ({@code redis-server --sentinel}) monitoring a real master: messages flow, and the shard is
 * named readably (every Sentinel and the master's name, never {@code null}) in logs and health.
 */
class RedisBrokerSentinelTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String MASTER = "mymaster";

    @Test
    void aBrokerReachesItsShardThroughSentinelsAndNamesThemReadably() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try (RedisServer master = RedisServer.start();
                RedisServer sentinel1 = RedisServer.startSentinel(master, MASTER);
                RedisServer sentinel2 = RedisServer.startSentinel(master, MASTER)) {
            URI uri = RedisServer.sentinelUri(MASTER, sentinel1, sentinel2);
            String readable = "redis-sentinel://127.0.0.1:" + sentinel1.port() + ",127.0.0.1:" + sentinel2.port()
                    + "#" + MASTER;
            // The master is down when the broker starts, so that it logs the shard it cannot reach.
            master.stop();
            try (RedisConnections connections = new RedisConnections(new RedisProperties(List.of(uri),
                    RedisServer.uniquePrefix(), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(200)))) {
                RedisBroker broker = new RedisBroker(connections.shards());
                await().atMost(TIMEOUT).until(() -> logs.list.stream()
                        .anyMatch(e -> e.getFormattedMessage().contains("is unreachable")));

                master.restart();
                await().atMost(TIMEOUT).until(() -> broker.shardHealth().equals(List.of(true)));
                List<String> received = new CopyOnWriteArrayList<>();
                Broker.Node node = broker.openNode(envelope -> received.add(envelope.messageId()));
                ChannelKey channel = new ChannelKey("app-1", "through-sentinel");
                node.subscribe(channel).block(TIMEOUT);
                // The node's own pub/sub connection may still be on its way: publish until one arrives.
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
                    broker.publish(envelope(channel, "probe")).onErrorComplete().block(TIMEOUT);
                    return received.contains("probe");
                });
                broker.publish(envelope(channel, "m1")).block(TIMEOUT);
                await().atMost(TIMEOUT).until(() -> received.contains("m1"));

                assertThat(connections.shards().list().get(0).target().description()).isEqualTo(readable);
                assertThat(connections.health()).containsEntry("shard-0",
                        new RedisConnections.TargetHealth(readable, true));
                node.close();
                broker.close();
            }
        }
        finally {
            root.detachAppender(logs);
        }
        List<String> aboutTheShard = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(message -> message.contains("shard 0")).toList();
        assertThat(aboutTheShard).isNotEmpty().allSatisfy(message -> assertThat(message)
                .contains("redis-sentinel://127.0.0.1:").contains("#" + MASTER).doesNotContain("null"));
    }

    private static Envelope envelope(ChannelKey channel, String id) {
        return new Envelope(channel, id, null, ("{\"event\":\"e\",\"channel\":\"" + channel.channel()
                + "\",\"data\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
