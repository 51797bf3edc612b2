package io.herald.core.broker;

import reactor.core.publisher.Mono;

/**
 * Carries channel messages from publishers to the edge nodes that have subscribers.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li><b>At most once.</b> A message published while a node's link to the channel's shard is
 * down is not delivered to that node; nothing is retried or replayed here (history and
 * recovery are a separate port).</li>
 * <li><b>Ordered per channel.</b> Messages to one channel whose {@link #publish} calls did not
 * overlap (each one completed before the next began) reach every node in that order.</li>
 * <li><b>Once per node.</b> A node that has subscribed to a channel receives each message once,
 * however many of its own clients want it; fan-out to clients is the node's job.</li>
 * <li><b>Fail fast.</b> {@link #publish} fails with {@link BrokerUnavailableException} at once
 * when the channel's shard is unreachable, rather than queueing.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * {@link #publish} completes once the broker has the message (queued in memory, or the Redis
 * PUBLISH acknowledged), never after the local fan-out. {@link NodeListener#onMessage} is
 * called on a {@link FanoutLanes} thread, neither the publisher's nor the broker's I/O thread,
 * and must not block; it should hand bytes to bounded per-connection queues and return.
 */
public interface Broker extends AutoCloseable {

    /**
     * Publishes to every node subscribed to the envelope's channel.
     *
     * @return completes once the broker has accepted the message, before any node's listener has
     *         necessarily run; errors with {@link BrokerUnavailableException} when the channel's
     *         shard is unavailable (or, in memory, the channel's fan-out lane is full)
     */
    Mono<Void> publish(Envelope envelope);

    /**
     * Opens the subscriptions of one edge node. Each node has its own; {@code listener}
     * receives the messages of every channel the node subscribes to.
     */
    Node openNode(NodeListener listener);

    /** Whether each shard is reachable now, in shard order (one entry for an in-memory broker). */
    java.util.List<Boolean> shardHealth();

    /** Releases connections and subscriptions. */
    @Override
    void close();

    /** The subscriptions of one edge node. */
    interface Node extends AutoCloseable {

        /**
         * Subscribes the node to a channel. Idempotent. When the shard is down the subscription
         * is remembered and made as soon as it returns; the returned Mono still completes.
         */
        Mono<Void> subscribe(ChannelKey channel);

        /** Ends the node's subscription to a channel. Idempotent. */
        Mono<Void> unsubscribe(ChannelKey channel);

        /** Ends every subscription of this node. */
        @Override
        void close();
    }

    /** Receives a node's messages. */
    @FunctionalInterface
    interface NodeListener {

        /** Called on a fan-out lane's thread, in order per channel; must not block or throw. */
        void onMessage(Envelope envelope);
    }
}
