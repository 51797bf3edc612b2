package io.herald.core.broker;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import reactor.core.publisher.Mono;

/**
 * A broker inside one JVM, for the standalone server and tests.
 *
 * <p>A publish completes once the envelope is queued: the listeners of the subscribed nodes are
 * called afterwards on a {@link FanoutLanes} thread, never on the publisher's, and the lanes
 * keep per-channel order. A publish to a channel no node is subscribed to queues nothing. When
 * the channel's lane is full the publish fails with {@link BrokerUnavailableException} (the HTTP
 * API answers 503 with {@code Retry-After}) rather than waiting or growing without bound.
 */
public final class InMemoryBroker implements Broker {

    private final ConcurrentHashMap<ChannelKey, Set<NodeImpl>> subscribers = new ConcurrentHashMap<>();
    private final FanoutLanes lanes;
    private final boolean ownsLanes;

    /** A broker with lanes of its own (default size), closed with it. */
    public InMemoryBroker() {
        this(new FanoutLanes("herald-fanout"), true);
    }

    /** A broker whose fan-out runs on {@code lanes}; the caller closes them. */
    public InMemoryBroker(FanoutLanes lanes) {
        this(lanes, false);
    }

    private InMemoryBroker(FanoutLanes lanes, boolean ownsLanes) {
        this.lanes = Objects.requireNonNull(lanes, "lanes");
        this.ownsLanes = ownsLanes;
    }

    @Override
    public Mono<Void> publish(Envelope envelope) {
        return Mono.defer(() -> {
            ChannelKey channel = envelope.channel();
            if (!subscribers.containsKey(channel)) {
                return Mono.empty();
            }
            // The nodes are looked up when the lane runs the delivery: a node that subscribed
            // before this publish is still there unless it has unsubscribed since.
            if (lanes.offer(channel, () -> deliver(envelope))) {
                return Mono.empty();
            }
            return Mono.error(new BrokerUnavailableException(0,
                    "The in-memory broker's fan-out queue is full (channel " + channel.channel() + ")", null));
        });
    }

    private void deliver(Envelope envelope) {
        Set<NodeImpl> nodes = subscribers.get(envelope.channel());
        if (nodes != null) {
            for (NodeImpl node : nodes) {
                node.listener.onMessage(envelope);
            }
        }
    }

    /** The lanes this broker's fan-out runs on. */
    public FanoutLanes lanes() {
        return lanes;
    }

    @Override
    public Node openNode(NodeListener listener) {
        return new NodeImpl(listener);
    }

    @Override
    public List<Boolean> shardHealth() {
        return List.of(true);
    }

    @Override
    public void close() {
        subscribers.clear();
        if (ownsLanes) {
            lanes.close();
        }
    }

    private final class NodeImpl implements Node {

        private final NodeListener listener;
        private final Set<ChannelKey> channels = ConcurrentHashMap.newKeySet();

        NodeImpl(NodeListener listener) {
            this.listener = listener;
        }

        @Override
        public Mono<Void> subscribe(ChannelKey channel) {
            return Mono.fromRunnable(() -> {
                channels.add(channel);
                // Add inside compute: with computeIfAbsent(...).add(...) a concurrent remove of
                // the last subscriber could drop the set from the map between the two calls.
                subscribers.compute(channel, (k, nodes) -> {
                    Set<NodeImpl> set = nodes == null ? new CopyOnWriteArraySet<>() : nodes;
                    set.add(this);
                    return set;
                });
            });
        }

        @Override
        public Mono<Void> unsubscribe(ChannelKey channel) {
            return Mono.fromRunnable(() -> remove(channel));
        }

        private void remove(ChannelKey channel) {
            channels.remove(channel);
            subscribers.computeIfPresent(channel, (k, nodes) -> {
                nodes.remove(this);
                return nodes.isEmpty() ? null : nodes;
            });
        }

        @Override
        public void close() {
            for (ChannelKey channel : List.copyOf(channels)) {
                remove(channel);
            }
        }
    }
}
