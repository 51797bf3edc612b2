package io.herald.core.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.shard.ShardRouter;
import io.herald.core.testing.FanoutGate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What every {@link Broker} must do, run against each adapter. Subclasses say how to make a
 * broker; every test gets a fresh one.
 *
 * <p>No test sleeps or measures time. "Nothing further arrives" is shown with a barrier: the
 * broker orders messages per channel and node, so once a later message on the same channel has
 * arrived, an earlier one that was going to arrive would already be there.
 */
public abstract class BrokerContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final String PROBE = "probe-";
    private static final AtomicInteger PROBES = new AtomicInteger();

    protected Broker broker;
    private final List<TestNode> nodes = new ArrayList<>();

    /** A new broker, ready to publish (subclasses wait for connections if they must). */
    protected abstract Broker createBroker();

    @BeforeEach
    void createTheBroker() {
        broker = createBroker();
    }

    @AfterEach
    void closeTheBroker() {
        nodes.forEach(node -> node.node.close());
        broker.close();
    }

    @Test
    void aSubscribedNodeReceivesEveryMessageOnceAndInOrderOnEveryChannel() {
        List<ChannelKey> channels = IntStream.range(0, 16).mapToObj(i -> new ChannelKey("app-1", "channel-" + i))
                .toList();
        // so that a two-shard Redis broker is exercised on both shards
        assertThat(channels.stream().map(c -> new ShardRouter(2).shardOf(c.appId(), c.channel())).distinct())
                .hasSize(2);
        TestNode node = openNode();
        channels.forEach(node::subscribe);

        int perChannel = 25;
        for (int m = 0; m < perChannel; m++) {
            for (ChannelKey channel : channels) {
                publish(channel, channel.channel() + "/" + m);
            }
        }
        channels.forEach(channel -> publish(channel, channel.channel() + "/end"));

        for (ChannelKey channel : channels) {
            node.awaitMessage(channel, channel.channel() + "/end");
            List<String> expected = new ArrayList<>();
            IntStream.range(0, perChannel).forEach(m -> expected.add(channel.channel() + "/" + m));
            expected.add(channel.channel() + "/end");
            assertThat(node.ids(channel)).as(channel.toString()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void theEnvelopeArrivesUnchanged() {
        ChannelKey channel = new ChannelKey("app-1", "presence-room");
        TestNode node = openNode();
        node.subscribe(channel);
        byte[] frame = "{\"event\":\"ü\",\"data\":\"✓ 😀\"}".getBytes(StandardCharsets.UTF_8);

        StepVerifier.create(broker.publish(new Envelope(channel, "with-exclude", "123.456", frame)))
                .expectComplete().verify(TIMEOUT);
        StepVerifier.create(broker.publish(new Envelope(channel, "without-exclude", null, new byte[0])))
                .expectComplete().verify(TIMEOUT);

        node.awaitMessage(channel, "without-exclude");
        List<Envelope> received = node.envelopes(channel);
        assertThat(received).hasSize(2);
        assertThat(received.get(0).channel()).isEqualTo(channel);
        assertThat(received.get(0).messageId()).isEqualTo("with-exclude");
        assertThat(received.get(0).excludeSocketId()).isEqualTo("123.456");
        assertThat(received.get(0).frame()).isEqualTo(frame);
        assertThat(received.get(1).excludeSocketId()).isNull();
        assertThat(received.get(1).frame()).isEmpty();
    }

    @Test
    void everySubscribedNodeReceives() {
        ChannelKey channel = new ChannelKey("app-1", "news");
        TestNode first = openNode();
        TestNode second = openNode();
        first.subscribe(channel);
        second.subscribe(channel);

        List<String> sent = IntStream.range(0, 10).mapToObj(i -> "m" + i).toList();
        sent.forEach(id -> publish(channel, id));

        for (TestNode node : List.of(first, second)) {
            node.awaitMessage(channel, "m9");
            assertThat(node.ids(channel)).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void anUnsubscribedNodeGetsNothingFurther() {
        ChannelKey channel = new ChannelKey("app-1", "news");
        TestNode staying = openNode();
        TestNode leaving = openNode();
        staying.subscribe(channel);
        leaving.subscribe(channel);
        publish(channel, "before");
        leaving.awaitMessage(channel, "before");

        StepVerifier.create(leaving.node.unsubscribe(channel)).expectComplete().verify(TIMEOUT);
        publish(channel, "after");
        staying.awaitMessage(channel, "after");

        assertNothingFurtherAfterBarrier(leaving, channel, "before");
        staying.awaitMessage(channel, "again");
        assertThat(staying.ids(channel)).containsExactly("before", "after", "again");
    }

    @Test
    void subscribingTwiceDeliversOnce() {
        ChannelKey channel = new ChannelKey("app-1", "twice");
        TestNode node = openNode();
        node.subscribe(channel);
        node.subscribe(channel);

        publish(channel, "m1");
        publish(channel, "m2");
        node.awaitMessage(channel, "m2");

        assertThat(node.ids(channel)).containsExactly("m1", "m2");
    }

    @Test
    void oneUnsubscribeUndoesSeveralSubscribesAndUnsubscribingAgainIsHarmless() {
        ChannelKey channel = new ChannelKey("app-1", "idempotent");
        TestNode node = openNode();
        node.subscribe(channel);
        node.subscribe(channel);
        publish(channel, "before");
        node.awaitMessage(channel, "before");

        StepVerifier.create(node.node.unsubscribe(channel)).expectComplete().verify(TIMEOUT);
        StepVerifier.create(node.node.unsubscribe(channel)).expectComplete().verify(TIMEOUT);
        publish(channel, "after");

        assertNothingFurtherAfterBarrier(node, channel, "before");
    }

    @Test
    void unsubscribingFromAChannelNeverSubscribedCompletes() {
        TestNode node = openNode();

        StepVerifier.create(node.node.unsubscribe(new ChannelKey("app-1", "never"))).expectComplete().verify(TIMEOUT);
    }

    @Test
    void channelsOfDifferentAppsWithTheSameNameAreIsolated() {
        ChannelKey ofApp1 = new ChannelKey("app-1", "news");
        ChannelKey ofApp2 = new ChannelKey("app-2", "news");
        TestNode node1 = openNode();
        TestNode node2 = openNode();
        node1.subscribe(ofApp1);
        node2.subscribe(ofApp2);

        publish(ofApp2, "for-app-2");
        publish(ofApp1, "for-app-1");
        publish(ofApp2, "end-2");
        publish(ofApp1, "end-1");
        node1.awaitMessage(ofApp1, "end-1");
        node2.awaitMessage(ofApp2, "end-2");

        assertThat(node1.allIds()).containsExactly("for-app-1", "end-1");
        assertThat(node2.allIds()).containsExactly("for-app-2", "end-2");
        assertThat(node1.envelopes(ofApp1)).allSatisfy(e -> assertThat(e.channel()).isEqualTo(ofApp1));
        assertThat(node2.envelopes(ofApp2)).allSatisfy(e -> assertThat(e.channel()).isEqualTo(ofApp2));
    }

    @Test
    void aNodeReceivesOnlyTheChannelsItSubscribedTo() {
        ChannelKey wanted = new ChannelKey("app-1", "wanted");
        ChannelKey other = new ChannelKey("app-1", "other");
        TestNode node = openNode();
        TestNode otherNode = openNode();
        node.subscribe(wanted);
        otherNode.subscribe(other);

        publish(other, "not-for-node");
        publish(wanted, "w1");
        publish(other, "other-end");
        otherNode.awaitMessage(other, "other-end");
        node.awaitMessage(wanted, "w1");

        assertThat(node.allIds()).containsExactly("w1");
    }

    @Test
    void publishingWithNoSubscribersCompletes() {
        StepVerifier.create(broker.publish(envelope(new ChannelKey("app-1", "nobody"), "m1")))
                .expectComplete().verify(TIMEOUT);

        TestNode node = openNode();
        ChannelKey channel = new ChannelKey("app-1", "left");
        node.subscribe(channel);
        StepVerifier.create(node.node.unsubscribe(channel)).expectComplete().verify(TIMEOUT);
        StepVerifier.create(broker.publish(envelope(channel, "m2"))).expectComplete().verify(TIMEOUT);
    }

    /**
     * A publish completes once the broker has the message, not after the fan-out: while one
     * delivery of the channel is held in a node's listener, further publishes to the channel
     * complete, and their deliveries follow, in order, once the listener returns.
     */
    @Test
    void aPublishCompletesWhileTheFanOutIsHeldAndItsDeliveryFollowsInOrder() throws Exception {
        ChannelKey channel = new ChannelKey("app-1", "held");
        FanoutGate gate = new FanoutGate();
        TestNode node = openNode();
        node.subscribe(channel);
        node.holdOn("hold", gate);
        try {
            // On another thread: a broker that ran the fan-out inside publish would hold it there.
            CompletableFuture.runAsync(() -> publish(channel, "hold")).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(gate.awaitHeld(TIMEOUT)).isTrue();
            CompletableFuture.runAsync(() -> {
                publish(channel, "next-1");
                publish(channel, "next-2");
            }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(node.ids(channel)).containsExactly("hold");
        }
        finally {
            gate.release();
        }
        node.awaitMessage(channel, "next-2");
        assertThat(node.ids(channel)).containsExactly("hold", "next-1", "next-2");
    }

    /** The fan-out runs on the broker's fan-out threads: neither the publisher's nor an I/O thread. */
    @Test
    void listenersRunOnAFanoutThread() {
        ChannelKey channel = new ChannelKey("app-1", "threads");
        TestNode node = openNode();
        node.subscribe(channel);
        publish(channel, "m1");
        node.awaitMessage(channel, "m1");

        assertThat(node.threads).isNotEmpty().allSatisfy(name -> assertThat(name).startsWith("herald-fanout-"));
    }

    @Test
    void everyShardIsHealthy() {
        assertThat(broker.shardHealth()).isNotEmpty().containsOnly(true);
    }

    // --- helpers for subclasses -----------------------------------------------------------

    /**
     * Shows that {@code node}, no longer subscribed to {@code channel}, received nothing after
     * {@code lastExpected}: it subscribes again, waits until a fresh message arrives, and checks
     * that nothing came in between.
     */
    protected void assertNothingFurtherAfterBarrier(TestNode node, ChannelKey channel, String lastExpected) {
        node.subscribe(channel);
        publish(channel, "again");
        node.awaitMessage(channel, "again");
        assertThat(node.ids(channel)).containsExactly(lastExpected, "again");
    }

    protected TestNode openNode() {
        return openNode(broker);
    }

    protected TestNode openNode(Broker on) {
        TestNode node = new TestNode(on);
        nodes.add(node);
        return node;
    }

    protected void publish(ChannelKey channel, String id) {
        publish(broker, channel, id);
    }

    protected static void publish(Broker on, ChannelKey channel, String id) {
        StepVerifier.create(on.publish(envelope(channel, id))).expectComplete().verify(TIMEOUT);
    }

    protected static Envelope envelope(ChannelKey channel, String id) {
        return new Envelope(channel, id, null,
                ("{\"event\":\"e\",\"channel\":\"" + channel.channel() + "\",\"data\":\"" + id + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** An edge node as the tests see it: its subscriptions and everything it received, in order. */
    protected static final class TestNode implements Broker.NodeListener {

        public final Broker broker;
        public final Broker.Node node;
        private final Queue<Envelope> received = new ConcurrentLinkedQueue<>();
        /** The names of the threads the listener was called on. */
        public final Set<String> threads = ConcurrentHashMap.newKeySet();
        private volatile String holdOn;
        private volatile FanoutGate gate;

        TestNode(Broker broker) {
            this.broker = broker;
            this.node = broker.openNode(this);
        }

        @Override
        public void onMessage(Envelope envelope) {
            threads.add(Thread.currentThread().getName());
            received.add(envelope);
            FanoutGate g = gate;
            if (g != null && envelope.messageId().equals(holdOn)) {
                g.hold();
            }
        }

        /** Holds the listener in {@code gate} when the message {@code id} arrives. */
        public void holdOn(String id, FanoutGate gate) {
            this.holdOn = id;
            this.gate = gate;
        }

        /** Subscribes and waits until messages on the channel actually arrive. */
        public void subscribe(ChannelKey channel) {
            StepVerifier.create(node.subscribe(channel)).expectComplete().verify(TIMEOUT);
            awaitActive(channel);
        }

        /**
         * Waits until a message published now on {@code channel} reaches this node, publishing
         * probes (which {@link #ids} leaves out) until one does. A Redis node connects to its
         * shards in the background and re-subscribes after an outage; this is how a test knows
         * that has happened without sleeping. Publish failures (a shard still down) are retried.
         */
        public void awaitActive(ChannelKey channel) {
            await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(() -> {
                broker.publish(envelope(channel, PROBE + PROBES.incrementAndGet()))
                        .onErrorResume(BrokerUnavailableException.class, ex -> Mono.empty())
                        .block(TIMEOUT);
                return received.stream()
                        .anyMatch(e -> e.channel().equals(channel) && e.messageId().startsWith(PROBE));
            });
        }

        public void awaitMessage(ChannelKey channel, String id) {
            await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> ids(channel).contains(id));
        }

        /** Ids received on a channel, in order, probes left out. */
        public List<String> ids(ChannelKey channel) {
            return envelopes(channel).stream().map(Envelope::messageId).toList();
        }

        public List<Envelope> envelopes(ChannelKey channel) {
            return received.stream().filter(e -> e.channel().equals(channel))
                    .filter(e -> !e.messageId().startsWith(PROBE)).toList();
        }

        /** Ids received on every channel, probes left out. */
        public List<String> allIds() {
            return received.stream().map(Envelope::messageId).filter(id -> !id.startsWith(PROBE)).toList();
        }
    }
}
