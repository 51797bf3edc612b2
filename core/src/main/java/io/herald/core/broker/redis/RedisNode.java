package io.herald.core.broker.redis;

import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.EnvelopeCodec;
import io.herald.core.broker.BrokerUnavailableException;
import io.herald.core.redis.RedisLink;
import io.herald.core.redis.RedisShard;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One edge node's subscriptions: a pub/sub connection per shard and the set of channels the
 * node wants on each.
 *
 * <p>The wanted set is the truth. A SUBSCRIBE or UNSUBSCRIBE that fails (the shard is down) is
 * remembered and retried by {@link #reconcile()}, which the broker runs every
 * {@link RedisBroker#RECONCILE_PERIOD}. Lettuce itself re-subscribes the channels Redis had
 * confirmed when a connection comes back. A message for a channel the node no longer wants is
 * dropped and the channel unsubscribed.
 */
final class RedisNode implements Broker.Node {

    private static final Logger log = LoggerFactory.getLogger(RedisNode.class);

    /** Channels per SUBSCRIBE command when catching up after an outage. */
    private static final int SUBSCRIBE_BATCH = 500;

    private final RedisBroker broker;
    private final Broker.NodeListener listener;
    private final List<ShardLink> links = new ArrayList<>();
    private volatile boolean closed;
    /** When the last "fan-out queue full" warning was logged (nanoTime), so a flood logs once a second. */
    private volatile long lastDropWarning;
    private static final long DROP_WARNING_INTERVAL_NANOS = 1_000_000_000L;

    RedisNode(RedisBroker broker, Broker.NodeListener listener) {
        this.broker = broker;
        this.listener = listener;
        for (RedisShard shard : broker.shards().list()) {
            ShardLink link = new ShardLink(shard);
            links.add(link);
            link.redis = broker.shards().connect(shard, "broker's subscriptions",
                    (client, uri) -> client.connectPubSubAsync(ByteArrayCodec.INSTANCE, uri), link::prepare,
                    BrokerUnavailableException::new);
            link.redis.firstConnection().thenRun(this::reconcile);
        }
    }

    @Override
    public Mono<Void> subscribe(ChannelKey channel) {
        ShardLink link = links.get(broker.shardOf(channel));
        byte[] name = broker.redisChannel(channel);
        return Mono.defer(() -> {
            link.wanted.add(channel);
            link.toUnsubscribe.remove(channel);
            StatefulRedisPubSubConnection<byte[], byte[]> connection = link.connection();
            if (connection == null) {
                // Not connected yet (the node has just started): wait a little for the first
                // connection, so that "subscribed" means subscribed whenever the shard is up.
                link.toSubscribe.add(channel);
                // The wait is on a copy of the shared future, so giving up never cancels it.
                return Mono.fromFuture(link.redis.firstConnection()
                        .orTimeout(broker.connectTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .flatMap(first -> subscribeOn(first, link, channel, name))
                        .onErrorResume(ex -> Mono.empty());
            }
            if (!connection.isOpen()) {
                link.toSubscribe.add(channel);
                return Mono.empty();
            }
            return subscribeOn(connection, link, channel, name);
        });
    }

    private Mono<Void> subscribeOn(StatefulRedisPubSubConnection<byte[], byte[]> connection, ShardLink link,
            ChannelKey channel, byte[] name) {
        return connection.reactive().subscribe(name)
                .timeout(broker.commandTimeout())
                .onErrorResume(ex -> {
                    link.toSubscribe.add(channel);
                    return Mono.empty();
                });
    }

    @Override
    public Mono<Void> unsubscribe(ChannelKey channel) {
        ShardLink link = links.get(broker.shardOf(channel));
        byte[] name = broker.redisChannel(channel);
        return Mono.defer(() -> {
            link.wanted.remove(channel);
            link.toSubscribe.remove(channel);
            StatefulRedisPubSubConnection<byte[], byte[]> connection = link.connection();
            if (connection == null || !connection.isOpen()) {
                link.toUnsubscribe.add(channel);
                return Mono.empty();
            }
            return connection.reactive().unsubscribe(name)
                    .timeout(broker.commandTimeout())
                    .onErrorResume(ex -> {
                        link.toUnsubscribe.add(channel);
                        return Mono.empty();
                    });
        });
    }

    /** Retries the subscribe and unsubscribe commands that failed. Never blocks. */
    void reconcile() {
        for (ShardLink link : links) {
            StatefulRedisPubSubConnection<byte[], byte[]> connection = link.connection();
            if (closed || connection == null || !connection.isOpen()) {
                continue;
            }
            retry(link, link.toSubscribe, true);
            retry(link, link.toUnsubscribe, false);
        }
    }

    private void retry(ShardLink link, Set<ChannelKey> pending, boolean subscribe) {
        if (pending.isEmpty()) {
            return;
        }
        List<ChannelKey> batch = new ArrayList<>();
        for (ChannelKey channel : pending) {
            batch.add(channel);
            if (batch.size() == SUBSCRIBE_BATCH) {
                break;
            }
        }
        batch.forEach(pending::remove);
        byte[][] names = batch.stream().map(broker::redisChannel).toArray(byte[][]::new);
        var async = link.connection().async();
        var future = subscribe ? async.subscribe(names) : async.unsubscribe(names);
        future.whenComplete((ok, error) -> {
            if (error != null) {
                for (ChannelKey channel : batch) {
                    // Only retry what is still wanted (or still unwanted) now.
                    if (subscribe == link.wanted.contains(channel)) {
                        pending.add(channel);
                    }
                }
            }
            else if (subscribe) {
                log.info("Restored {} subscriptions on Redis shard {} ({})", batch.size(), link.shard.index(),
                        link.shard.target());
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        broker.forget(this);
        for (ShardLink link : links) {
            link.redis.close();
        }
    }

    /** This node's pub/sub connection to one shard, and what it wants there. */
    private final class ShardLink extends RedisPubSubAdapter<byte[], byte[]> {

        final RedisShard shard;
        final Set<ChannelKey> wanted = ConcurrentHashMap.newKeySet();
        final Set<ChannelKey> toSubscribe = ConcurrentHashMap.newKeySet();
        final Set<ChannelKey> toUnsubscribe = ConcurrentHashMap.newKeySet();
        /** Set right after construction, before any use. */
        RedisLink<StatefulRedisPubSubConnection<byte[], byte[]>> redis;

        ShardLink(RedisShard shard) {
            this.shard = shard;
        }

        StatefulRedisPubSubConnection<byte[], byte[]> connection() {
            return redis.connection();
        }

        /** Before the new connection is visible: listen, and mark everything wanted so far to subscribe. */
        void prepare(StatefulRedisPubSubConnection<byte[], byte[]> connection) {
            connection.addListener(this);
            toSubscribe.addAll(wanted);
        }

        @Override
        public void message(byte[] redisChannel, byte[] message) {
            ChannelKey channel = broker.channelKey(redisChannel);
            if (channel == null) {
                return;
            }
            if (!wanted.contains(channel)) {
                // A subscription Lettuce restored after we had let it go.
                toUnsubscribe.add(channel);
                return;
            }
            Envelope envelope;
            try {
                envelope = EnvelopeCodec.decode(channel, message);
            }
            catch (IllegalArgumentException ex) {
                log.warn("Dropped an undecodable message on channel {} from shard {}: {}", channel, shard.index(),
                        ex.getMessage());
                return;
            }
            // Off the I/O thread: the fan-out to local subscribers runs on the channel's lane.
            if (!broker.lanes().offer(channel, () -> deliver(channel, envelope))) {
                long now = System.nanoTime();
                long last = lastDropWarning;
                if (now - last > DROP_WARNING_INTERVAL_NANOS || last == 0) {
                    lastDropWarning = now;
                    log.warn("The fan-out queue is full: dropped a message for channel {} ({} dropped since start)",
                            channel, broker.lanes().rejected());
                }
            }
        }

        private void deliver(ChannelKey channel, Envelope envelope) {
            try {
                listener.onMessage(envelope);
            }
            catch (RuntimeException ex) {
                log.error("Node listener failed on a message for channel {}", channel, ex);
            }
        }
    }
}
