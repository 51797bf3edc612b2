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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p><b>Delivery.</b> A channel's local subscribers are kept partitioned by the event loop that
 * owns them ({@link LoopWriter}), so a message needs no grouping work: the fan-out thread wraps
 * the publisher's frame bytes once in an {@link OutboundFrame} (whose WebSocket encoding, header
 * included, is made once and shared), and submits one item per event loop. On each loop the item
 * writes a duplicate of the same buffer to each of that loop's subscribers except the excluded
 * socket, and the loop flushes each written connection once per drain. No lock and no
 * allocation per subscriber beyond the buffer duplicate Netty needs (each write has its own
 * reader index).
 *
 * <p>Deliveries are counted once per message, when the last loop has written it:
 * {@code herald.messages.delivered} and one {@code usage.record} with the number of subscribers
 * written to.
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
            s.add(connection);
            return s;
        });
        return subscribers.ready.onErrorResume(ex -> Mono.empty());
    }

    /** Removes a local subscriber; the last one out ends the node's broker subscription. */
    public void unsubscribe(ChannelKey channel, EdgeConnection connection) {
        channels.computeIfPresent(channel, (key, s) -> {
            s.remove(connection);
            if (!s.isEmpty()) {
                return s;
            }
            node.unsubscribe(key).subscribe(null, ex -> log.warn("Unsubscribing from {} failed", key, ex));
            return null;
        });
    }

    /** The number of local subscribers of a channel. */
    public int localSubscribers(ChannelKey channel) {
        Subscribers s = channels.get(channel);
        return s == null ? 0 : s.size();
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
            for (LoopGroup group : s.groups) {
                for (EdgeConnection connection : group.connections) {
                    log.info("Terminating connection {} of user {} (app {}) on the app server's request",
                            connection.socketId(), connection.userId(), connection.appId());
                    connection.closeAfterFlush(PusherError.UNAUTHORIZED, "Connection terminated by the app's server");
                }
            }
            return;
        }
        Delivery delivery = new Delivery(this, envelope.channel().appId(), new OutboundFrame(envelope.frame()),
                envelope.excludeSocketId());
        for (LoopGroup group : s.groups) {
            if (!group.connections.isEmpty()) {
                delivery.pending.incrementAndGet();
                group.writer.submit(new GroupWrite(delivery, group));
            }
        }
        delivery.done(0);
    }

    /** Counts a message once every loop has written it: one counter increment and one usage record. */
    private void delivered(String appId, int count) {
        if (count > 0) {
            delivered.computeIfAbsent(appId, id -> Counter
                    .builder(HeraldMeters.MESSAGES_DELIVERED.meterName())
                    .description("Channel messages written to client sockets")
                    .tag(HeraldMeters.APP_ID, id)
                    .register(meters)).increment(count);
            // One addition per message, not one per subscriber.
            usage.record(appId, UsageQuantity.MESSAGES_DELIVERED, count);
        }
    }

    @Override
    public void close() {
        node.close();
        channels.clear();
    }

    /**
     * A channel's local subscribers, partitioned by event loop. The partitions are few (one per
     * loop, made on first use, kept while the channel is) and read without a lock; changes happen
     * inside the channel map's per-key atomic section.
     */
    private static final class Subscribers {

        final Mono<Void> ready;
        final List<LoopGroup> groups = new CopyOnWriteArrayList<>();

        Subscribers(Mono<Void> ready) {
            this.ready = ready;
        }

        void add(EdgeConnection connection) {
            LoopWriter writer = connection.writer();
            for (LoopGroup group : groups) {
                if (group.writer == writer) {
                    group.connections.add(connection);
                    return;
                }
            }
            LoopGroup group = new LoopGroup(writer);
            group.connections.add(connection);
            groups.add(group);
        }

        void remove(EdgeConnection connection) {
            LoopWriter writer = connection.writer();
            for (LoopGroup group : groups) {
                if (group.writer == writer) {
                    group.connections.remove(connection);
                    return;
                }
            }
        }

        boolean isEmpty() {
            for (LoopGroup group : groups) {
                if (!group.connections.isEmpty()) {
                    return false;
                }
            }
            return true;
        }

        int size() {
            int size = 0;
            for (LoopGroup group : groups) {
                size += group.connections.size();
            }
            return size;
        }
    }

    /** The subscribers of one channel that one event loop owns. */
    private static final class LoopGroup {

        final LoopWriter writer;
        final Set<EdgeConnection> connections = ConcurrentHashMap.newKeySet();

        LoopGroup(LoopWriter writer) {
            this.writer = writer;
        }
    }

    /** One message on its way to the loops; counted, and its buffer freed, when the last loop is done. */
    private static final class Delivery {

        final LocalFanout fanout;
        final String appId;
        final OutboundFrame frame;
        final String exclude;
        /** The loops still to write it, plus one for the fan-out thread while it hands it out. */
        final AtomicInteger pending = new AtomicInteger(1);
        final AtomicInteger written = new AtomicInteger();

        Delivery(LocalFanout fanout, String appId, OutboundFrame frame, String exclude) {
            this.fanout = fanout;
            this.appId = appId;
            this.frame = frame;
            this.exclude = exclude;
        }

        void done(int count) {
            if (count > 0) {
                written.addAndGet(count);
            }
            if (pending.decrementAndGet() == 0) {
                frame.release();
                fanout.delivered(appId, written.get());
            }
        }
    }

    /** One message to the subscribers of one channel on one loop. */
    private static final class GroupWrite extends LoopWriter.Item {

        private final Delivery delivery;
        private final LoopGroup group;

        GroupWrite(Delivery delivery, LoopGroup group) {
            this.delivery = delivery;
            this.group = group;
        }

        @Override
        protected void run(LoopWriter writer) {
            String exclude = delivery.exclude;
            OutboundFrame frame = delivery.frame;
            int count = 0;
            try {
                for (EdgeConnection connection : group.connections) {
                    if (exclude != null && exclude.equals(connection.socketId())) {
                        continue;
                    }
                    if (connection.deliver(frame)) {
                        writer.written(connection);
                        count++;
                    }
                }
            }
            finally {
                delivery.done(count);
            }
        }

        @Override
        protected void discard() {
            delivery.done(0);
        }
    }
}
