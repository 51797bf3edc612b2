package io.herald.core.broker;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import reactor.core.publisher.Mono;

/**
 * A broker inside one JVM, for the standalone server and tests. Delivery is synchronous: a
 * publish calls the listeners of every subscribed node on the publisher's thread before it
 * completes, which keeps per-channel order.
 */
public final class InMemoryBroker implements Broker {

    private final ConcurrentHashMap<ChannelKey, Set<NodeImpl>> subscribers = new ConcurrentHashMap<>();

    @Override
    public Mono<Void> publish(Envelope envelope) {
        return Mono.fromRunnable(() -> {
            Set<NodeImpl> nodes = subscribers.get(envelope.channel());
            if (nodes != null) {
                for (NodeImpl node : nodes) {
                    node.listener.onMessage(envelope);
                }
            }
        });
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
