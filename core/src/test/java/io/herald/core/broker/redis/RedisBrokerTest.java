package io.herald.core.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.herald.core.broker.Broker;
import io.herald.core.broker.BrokerContractTest;
import io.herald.core.broker.BrokerUnavailableException;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.EnvelopeCodec;
import io.herald.core.broker.FanoutLanes;
import io.herald.core.testing.FanoutGate;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.shard.ShardRouter;
import io.herald.core.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.test.StepVerifier;

/**
 * The broker contract against two real {@code redis-server} shards, and what only Redis can do:
 * lose a shard and get it back.
 */
class RedisBrokerTest extends BrokerContractTest {

    private static RedisServer shard0;
    private static RedisServer shard1;

    /** How long a shard does not answer: far longer than the 300 ms command timeout of that test. */
    private static final Duration PAUSE = Duration.ofSeconds(10);

    private final String prefix = RedisServer.uniquePrefix();
    private final List<RedisConnections> connections = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        shard0 = RedisServer.start();
        shard1 = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (shard0 != null) {
            shard0.close();
        }
        if (shard1 != null) {
            shard1.close();
        }
    }

    @AfterEach
    void closeConnections() {
        connections.forEach(RedisConnections::close);
    }

    private RedisConnections connections(RedisProperties properties) {
        RedisConnections made = new RedisConnections(properties);
        connections.add(made);
        return made;
    }

    @Override
    protected Broker createBroker() {
        RedisBroker broker = redisBroker(Duration.ofSeconds(2), shard0, shard1);
        // The publishing connections are made in the background.
        awaitHealth(broker, true, true);
        return broker;
    }

    private RedisBroker redisBroker(Duration commandTimeout, RedisServer... servers) {
        List<URI> uris = List.of(servers).stream().map(RedisServer::uri).toList();
        return new RedisBroker(connections(new RedisProperties(uris, prefix, commandTimeout, Duration.ofSeconds(2),
                Duration.ofMillis(500))).shards());
    }

    /**
     * Redis pub/sub cannot be slowed down, so a message that finds the node's fan-out lane full
     * is dropped on that node and counted; the publish itself was acknowledged by Redis. The
     * lane takes messages again once it has room.
     */
    @Test
    void aMessageThatFindsTheFanoutLaneFullIsDroppedAndCounted() throws Exception {
        List<URI> uris = List.of(shard0.uri());
        try (FanoutLanes lanes = new FanoutLanes("herald-fanout-small", 1, 2)) {
            RedisBroker small = new RedisBroker(connections(new RedisProperties(uris, prefix, Duration.ofSeconds(2),
                    Duration.ofSeconds(2), Duration.ofMillis(500))).shards(), lanes);
            try {
                awaitHealth(small, true);
                ChannelKey channel = new ChannelKey("app-1", "full");
                FanoutGate gate = new FanoutGate();
                TestNode node = openNode(small);
                node.subscribe(channel);
                node.holdOn("hold", gate);
                try {
                    publish(small, channel, "hold");
                    assertThat(gate.awaitHeld(TIMEOUT)).isTrue();
                    publish(small, channel, "queued");
                    publish(small, channel, "dropped-1");
                    publish(small, channel, "dropped-2");
                    // The lane holds the running delivery and "queued"; both later ones are refused.
                    await().atMost(TIMEOUT).until(() -> lanes.rejected() == 2);
                }
                finally {
                    gate.release();
                }
                // Once the lane has room again (what it held has run), it takes messages again.
                node.awaitMessage(channel, "queued");
                publish(small, channel, "after");
                node.awaitMessage(channel, "after");
                assertThat(node.ids(channel)).containsExactly("hold", "queued", "after");
            }
            finally {
                small.close();
            }
        }
    }

    @Test
    void usesTheShardTheRouterPicks() {
        assertThat(((RedisBroker) broker).router().shardCount()).isEqualTo(2);
        assertThat(broker.shardHealth()).containsExactly(true, true);
    }

    @Test
    void aStoppedShardFailsPublishesAtOnceWhileTheOtherShardWorks() {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start()) {
            // A command timeout far longer than the verification timeout below: a publish that
            // waited for the command to time out, instead of failing at once, fails this test.
            RedisBroker broker = redisBroker(Duration.ofSeconds(60), s0, s1);
            try {
                awaitHealth(broker, true, true);
                ChannelKey on0 = channelOnShard(0, "up");
                ChannelKey on1 = channelOnShard(1, "down");
                TestNode node = openNode(broker);
                node.subscribe(on0);
                node.subscribe(on1);

                s1.stop();
                awaitHealth(broker, true, false);

                StepVerifier.create(broker.publish(envelope(on1, "lost")))
                        .expectErrorSatisfies(ex -> {
                            assertThat(ex).isInstanceOf(BrokerUnavailableException.class);
                            assertThat(((BrokerUnavailableException) ex).shard()).isEqualTo(1);
                            assertThat(ex.getMessage()).contains("shard 1");
                        })
                        .verify(Duration.ofSeconds(30));

                publish(broker, on0, "still-works");
                node.awaitMessage(on0, "still-works");
                assertThat(node.ids(on1)).isEmpty();
            }
            finally {
                broker.close();
            }
        }
    }

    /**
     * A shard that is up but does not answer (a real Redis held by {@code CLIENT PAUSE}, far
     * longer than the command timeout): the publish fails as unavailable once Lettuce's command
     * timeout fires, the only timer a publish has. Without it the publish would wait for the pause
     * to end and then succeed.
     */
    @Test
    void aPublishToAShardThatDoesNotAnswerFailsAsUnavailableWhenTheCommandTimesOut() {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start()) {
            RedisBroker broker = redisBroker(Duration.ofMillis(300), s0, s1);
            RedisClient admin = RedisClient.create(RedisURI.create(s1.uri()));
            try (StatefulRedisConnection<String, String> control = admin.connect()) {
                awaitHealth(broker, true, true);
                ChannelKey on1 = channelOnShard(1, "paused");
                publish(broker, on1, "before-the-pause");

                // Redis 7.0 holds even CLIENT UNPAUSE while paused, so the pause runs out by itself.
                control.sync().clientPause(PAUSE.toMillis());
                StepVerifier.create(broker.publish(envelope(on1, "unanswered")))
                        .expectErrorSatisfies(ex -> {
                            assertThat(ex).isInstanceOf(BrokerUnavailableException.class)
                                    .hasMessageContaining("shard 1").hasMessageContaining("did not answer in time");
                            assertThat(((BrokerUnavailableException) ex).shard()).isEqualTo(1);
                        })
                        .verify(PAUSE.multipliedBy(3));
                // The connection stays usable: the shard answers again once the pause is over.
                await().atMost(PAUSE.multipliedBy(3)).ignoreExceptions().until(() -> {
                    broker.publish(envelope(on1, "after-the-pause")).block(TIMEOUT);
                    return true;
                });
            }
            finally {
                broker.close();
                admin.shutdown();
            }
        }
    }

    @Test
    void afterAShardRestartsSubscriptionsMadeBeforeAndDuringTheOutageReceiveAgain() {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start()) {
            RedisBroker broker = redisBroker(Duration.ofSeconds(2), s0, s1);
            try {
                awaitHealth(broker, true, true);
                ChannelKey on1 = channelOnShard(1, "before");
                ChannelKey alsoOn1 = channelOnShard(1, "during");
                TestNode subscribedBefore = openNode(broker);
                TestNode subscribedDuring = openNode(broker);
                subscribedBefore.subscribe(on1);

                s1.stop();
                awaitHealth(broker, true, false);
                // The shard is down: the subscription is remembered and the Mono still completes.
                StepVerifier.create(subscribedDuring.node.subscribe(alsoOn1)).expectComplete().verify(TIMEOUT);
                TestNode openedDuring = openNode(broker);
                StepVerifier.create(openedDuring.node.subscribe(on1)).expectComplete().verify(TIMEOUT);

                s1.restart();
                awaitHealth(broker, true, true);

                // No node subscribes again: Lettuce restores confirmed subscriptions, the node's
                // reconcile loop makes the ones that failed.
                subscribedBefore.awaitActive(on1);
                subscribedDuring.awaitActive(alsoOn1);
                openedDuring.awaitActive(on1);

                List<String> sent = IntStream.range(0, 10).mapToObj(i -> "after-" + i).toList();
                sent.forEach(id -> {
                    publish(broker, on1, id);
                    publish(broker, alsoOn1, id);
                });
                subscribedBefore.awaitMessage(on1, "after-9");
                subscribedDuring.awaitMessage(alsoOn1, "after-9");
                openedDuring.awaitMessage(on1, "after-9");
                assertThat(subscribedBefore.ids(on1)).containsExactlyElementsOf(sent);
                assertThat(subscribedDuring.ids(alsoOn1)).containsExactlyElementsOf(sent);
                assertThat(openedDuring.ids(on1)).containsExactlyElementsOf(sent);
            }
            finally {
                broker.close();
            }
        }
    }

    @Test
    void aShardDownWhenTheBrokerIsCreatedIsConnectedLater() {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start()) {
            s1.stop();
            RedisBroker broker = redisBroker(Duration.ofSeconds(2), s0, s1);
            try {
                awaitHealth(broker, true, false);
                ChannelKey on1 = channelOnShard(1, "late");
                TestNode node = openNode(broker);
                StepVerifier.create(node.node.subscribe(on1)).expectComplete().verify(TIMEOUT);
                StepVerifier.create(broker.publish(envelope(on1, "too-early")))
                        .expectError(BrokerUnavailableException.class).verify(TIMEOUT);

                s1.restart();
                awaitHealth(broker, true, true);

                node.awaitActive(on1);
                publish(broker, on1, "m1");
                node.awaitMessage(on1, "m1");
                assertThat(node.ids(on1)).containsExactly("m1");
            }
            finally {
                broker.close();
            }
        }
    }

    @Test
    void garbageOnAChannelDoesNotBreakDeliveryOfLaterMessages() {
        ChannelKey channel = new ChannelKey("app-1", "garbage");
        TestNode node = openNode();
        node.subscribe(channel);
        RedisServer server = new ShardRouter(2).shardOf("app-1", "garbage") == 0 ? shard0 : shard1;
        byte[] redisChannel = (prefix + "app-1:garbage").getBytes(StandardCharsets.UTF_8);
        RedisClient client = RedisClient.create(RedisURI.create(server.uri()));
        try (StatefulRedisConnection<byte[], byte[]> raw = client.connect(ByteArrayCodec.INSTANCE)) {
            raw.sync().publish(redisChannel, "not an envelope".getBytes(StandardCharsets.UTF_8));
            raw.sync().publish(redisChannel, new byte[0]);
            raw.sync().publish(redisChannel, new byte[] { 1, 100, 'x' });
            publish(channel, "good-1");
            raw.sync().publish(redisChannel, new byte[] { 9, 0, 0 });
            // a well-formed envelope published by hand shows these raw publishes reach the node
            raw.sync().publish(redisChannel, EnvelopeCodec.encode(envelope(channel, "raw-good")));
            publish(channel, "good-2");
        }
        finally {
            client.shutdown();
        }

        node.awaitMessage(channel, "good-2");
        assertThat(node.ids(channel)).containsExactly("good-1", "raw-good", "good-2");
    }

    @Test
    void aListenerThatThrowsDoesNotStopLaterMessages() {
        ChannelKey channel = new ChannelKey("app-1", "throwing");
        List<String> seen = new CopyOnWriteArrayList<>();
        Broker.Node node = broker.openNode(envelope -> {
            seen.add(envelope.messageId());
            if (envelope.messageId().equals("boom")) {
                throw new IllegalStateException("listener bug");
            }
        });
        try {
            StepVerifier.create(node.subscribe(channel)).expectComplete().verify(TIMEOUT);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
                publish(channel, "boom");
                return seen.contains("boom");
            });
            publish(channel, "after");

            await().atMost(TIMEOUT).until(() -> seen.contains("after"));
        }
        finally {
            node.close();
        }
    }

    @Test
    void aShardPasswordNeverAppearsInErrorsOrLogs() {
        String password = "hunter2-do-not-log";
        RedisServer gone = RedisServer.start();
        gone.stop(); // a port nobody listens on
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        RedisBroker broker = new RedisBroker(connections(new RedisProperties(
                List.of(URI.create("redis://user:" + password + "@127.0.0.1:" + gone.port() + "/0")), prefix,
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(500))).shards());
        try {
            StepVerifier.create(broker.publish(envelope(new ChannelKey("app-1", "x"), "m")))
                    .expectErrorSatisfies(ex -> {
                        assertThat(ex).isInstanceOf(BrokerUnavailableException.class);
                        for (Throwable t = ex; t != null; t = t.getCause()) {
                            assertThat(t.toString()).doesNotContain(password);
                        }
                    })
                    .verify(TIMEOUT);
            // the first failed connection attempt is logged
            await().atMost(TIMEOUT).until(() -> logs.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("is unreachable")));
        }
        finally {
            broker.close();
            root.detachAppender(logs);
            gone.close();
        }
        assertThat(logs.list).allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain(password);
            if (e.getThrowableProxy() != null) {
                assertThat(e.getThrowableProxy().getMessage()).doesNotContain(password);
            }
        });
    }

    private static ChannelKey channelOnShard(int shard, String name) {
        ShardRouter router = new ShardRouter(2);
        return IntStream.range(0, 100).mapToObj(i -> new ChannelKey("app-1", name + "-" + i))
                .filter(c -> router.shardOf(c.appId(), c.channel()) == shard).findFirst().orElseThrow();
    }

    private static void awaitHealth(Broker broker, Boolean... expected) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
                .until(() -> broker.shardHealth().equals(List.of(expected)));
    }
}
