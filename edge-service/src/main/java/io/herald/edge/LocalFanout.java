package io.herald.edge;

import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.error.PusherError;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * This node's channels and their local subscribers, and the fan-out of broker messages to them.
 *
 * <p>The node subscribes to a channel on the broker once, when its first local client
 * subscribes, and lets it go when the last one leaves. The broker calls are made inside the
 * map's per-key atomic section, so a subscribe and an unsubscribe racing on one channel reach
 * the broker in the same order as they changed the local set. The map is a
 * {@link ConcurrentHashMap}: its locking is striped by channel hash, never global.
 *
 * <p>A broker message is delivered by writing the publisher's encoded frame, unchanged and
 * uncopied, to every local subscriber except the excluded socket.
 */
public final class LocalFanout implements Broker.NodeListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalFanout.class);

    private final Map<ChannelKey, Subscribers> channels = new ConcurrentHashMap<>();
    private final Map<String, Counter> delivered = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final Broker.Node node;
    private final UsageSink usage;

    public LocalFanout(Broker broker, MeterRegistry meters) {
        this(broker, meters, UsageSink.NONE);
    }

    /** @param usage where deliveries are counted per app: once per message, with the number of subscribers written to */
    public LocalFanout(Broker broker, MeterRegistry meters, UsageSink usage) {
        this.meters = meters;
        this.usage = java.util.Objects.requireNonNull(usage, "usage");
        this.node = broker.openNode(this);
        Gauge.builder(HeraldMeters.CHANNELS_SUBSCRIBED.meterName(), channels, Map::size)
                .description("Channels this edge node is subscribed to on the broker")
                .register(meters);
    }

    /**
     * Adds a local subscriber.
     *
     * @return completes when the node's broker subscription to the channel is in place, so
     *         messages published afterwards reach the subscriber
     */
    public Mono<Void> subscribe(ChannelKey channel, EdgeConnection connection) {
        Subscribers subscribers = channels.compute(channel, (key, existing) -> {
            Subscribers s = existing;
            if (s == null) {
                s = new Subscribers(node.subscribe(key).cache());
                // One line, no stack trace: under a shard outage every new channel fails alike, and the
                // broker retries its subscriptions itself.
                s.ready.subscribe(null, ex -> log.warn("Subscribing to {} failed (retried by the broker): {}", key,
                        ex.toString()));
            }
            s.connections.add(connection);
            return s;
        });
        return subscribers.ready.onErrorResume(ex -> Mono.empty());
    }

    /** Removes a local subscriber; the last one out ends the node's broker subscription. */
    public void unsubscribe(ChannelKey channel, EdgeConnection connection) {
        channels.computeIfPresent(channel, (key, s) -> {
            s.connections.remove(connection);
            if (!s.connections.isEmpty()) {
                return s;
            }
            node.unsubscribe(key).subscribe(null, ex -> log.warn("Unsubscribing from {} failed", key, ex));
            return null;
        });
    }

    /** The number of local subscribers of a channel. */
    public int localSubscribers(ChannelKey channel) {
        Subscribers s = channels.get(channel);
        return s == null ? 0 : s.connections.size();
    }

    /** The number of channels this node is subscribed to. */
    public int channelCount() {
        return channels.size();
    }

    @Override
    public void onMessage(Envelope envelope) {
        Subscribers s = channels.get(envelope.channel());
        if (s == null) {
            return;
        }
        if (envelope.kind() == Envelope.Kind.TERMINATE_USER) {
            for (EdgeConnection connection : s.connections) {
                log.info("Terminating connection {} of user {} (app {}) on the app server's request",
                        connection.socketId(), connection.userId(), connection.appId());
                connection.closeAfterFlush(PusherError.UNAUTHORIZED, "Connection terminated by the app's server");
            }
            return;
        }
        String exclude = envelope.excludeSocketId();
        byte[] frame = envelope.frame();
        int count = 0;
        for (EdgeConnection connection : s.connections) {
            if (exclude != null && exclude.equals(connection.socketId())) {
                continue;
            }
            if (connection.send(frame)) {
                count++;
            }
        }
        if (count > 0) {
            delivered.computeIfAbsent(envelope.channel().appId(), appId -> Counter
                    .builder(HeraldMeters.MESSAGES_DELIVERED.meterName())
                    .description("Channel messages written to client sockets")
                    .tag(HeraldMeters.APP_ID, appId)
                    .register(meters)).increment(count);
            // One addition per message, not one per subscriber.
            usage.record(envelope.channel().appId(), UsageQuantity.MESSAGES_DELIVERED, count);
        }
    }

    @Override
    public void close() {
        node.close();
        channels.clear();
    }

    private static final class Subscribers {

        final Mono<Void> ready;
        final Set<EdgeConnection> connections = ConcurrentHashMap.newKeySet();

        Subscribers(Mono<Void> ready) {
            this.ready = ready;
        }
    }
}
