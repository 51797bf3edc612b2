package io.herald.publish.testing;

import static org.awaitility.Awaitility.await;

import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.redis.RedisBroker;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What an edge node sees: a node on its own {@link RedisBroker} (as a separate edge process would
 * have), subscribed to channels, collecting every envelope that arrives.
 */
public final class ChannelProbe implements AutoCloseable {

    private static final String PROBE_PREFIX = "probe-";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final RedisConnections connections;
    private final RedisBroker broker;
    private final Broker.Node node;
    /**
     * Lock-free: the broker calls the listener on its fan-out lanes, which BlockHound checks, and
     * a blocking queue's lock parks the lane whenever the test thread holds it.
     */
    private final Queue<Envelope> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger probes = new AtomicInteger();

    public ChannelProbe(List<URI> shards, String keyPrefix) {
        this.connections = new RedisConnections(new RedisProperties(shards, keyPrefix, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofMillis(200)));
        this.broker = new RedisBroker(connections.shards());
        this.node = broker.openNode(received::add);
    }

    /**
     * Subscribes and returns once the subscription is live: a probe message published through the
     * broker has come back (the node's link to the shard may still be connecting).
     */
    public void subscribe(String appId, String channel) {
        ChannelKey key = new ChannelKey(appId, channel);
        node.subscribe(key).block(WAIT);
        String probeId = PROBE_PREFIX + probes.incrementAndGet();
        Envelope probe = new Envelope(key, probeId, null, new byte[0]);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            broker.publish(probe).onErrorComplete().block(WAIT);
            return received.stream().anyMatch(e -> e.messageId().equals(probeId));
        });
    }

    /** The next envelope that is not a probe; fails when none arrives in time. */
    public Envelope next() {
        AtomicReference<Envelope> next = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> {
            for (Envelope envelope = received.poll(); envelope != null; envelope = received.poll()) {
                if (!envelope.messageId().startsWith(PROBE_PREFIX)) {
                    next.set(envelope);
                    return true;
                }
            }
            return false;
        });
        return next.get();
    }

    /** The next {@code n} envelopes that are not probes, in arrival order. */
    public List<Envelope> next(int n) {
        List<Envelope> envelopes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            envelopes.add(next());
        }
        return envelopes;
    }

    public static String frame(Envelope envelope) {
        return new String(envelope.frame(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        node.close();
        broker.close();
        connections.close();
    }
}
