package io.herald.core.broker.redis;

import io.herald.core.broker.Broker;
import io.herald.core.broker.BrokerUnavailableException;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.EnvelopeCodec;
import io.herald.core.broker.FanoutLanes;
import io.herald.core.redis.RedisLink;
import io.herald.core.redis.RedisShards;
import io.herald.core.shard.ShardRouter;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A {@link Broker} over Redis pub/sub on several independent shards.
 *
 * <p>Each channel is published to and subscribed on the shard {@link RedisShards} picks (the
 * same shard its channel state lives on). The Redis channel name is
 * {@code keyPrefix + appId + ":" + channel}. Each shard has one connection for publishing,
 * shared by the whole process, and each {@link Node} has one pub/sub connection per shard, so a
 * message crosses the network once per interested node. Connections are made and retried by
 * {@link io.herald.core.redis.RedisConnections}, which outlives the broker.
 *
 * <p>A node's messages arrive on Lettuce's I/O thread, which only decodes them and hands them to
 * the broker's {@link FanoutLanes} (one lane per channel, so per-channel order holds); the
 * node's listener runs on a lane thread. A message that finds its lane full is dropped and
 * counted ({@link FanoutLanes#rejected()}): Redis pub/sub cannot be slowed down, and the broker is
 * at-most-once.
 *
 * <p>Failure behaviour: commands are rejected at once while a shard is disconnected (no
 * queueing), so publishes to a down shard fail fast with {@link BrokerUnavailableException};
 * other shards are unaffected. Connections are retried in the background with capped
 * exponential backoff, including a shard that was down when Herald started; subscriptions are
 * restored when a shard returns.
 */
public final class RedisBroker implements Broker {

    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    /** How often each node reconciles the subscriptions it wants with those it has. */
    static final Duration RECONCILE_PERIOD = Duration.ofMillis(500);

    private final RedisShards shards;
    private final List<RedisLink<StatefulRedisConnection<byte[], byte[]>>> publishers;
    private final byte[] prefix;
    private final Duration commandTimeout;
    private final Duration connectTimeout;
    private final List<RedisNode> nodes = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> reconciler;
    private final FanoutLanes lanes;
    private final boolean ownsLanes;

    /** A broker with fan-out lanes of its own (default size), closed with it. */
    public RedisBroker(RedisShards shards) {
        this(shards, new FanoutLanes("herald-fanout"), true);
    }

    /** A broker whose nodes' fan-out runs on {@code lanes}; the caller closes them. */
    public RedisBroker(RedisShards shards, FanoutLanes lanes) {
        this(shards, lanes, false);
    }

    private RedisBroker(RedisShards shards, FanoutLanes lanes, boolean ownsLanes) {
        this.lanes = Objects.requireNonNull(lanes, "lanes");
        this.ownsLanes = ownsLanes;
        this.shards = Objects.requireNonNull(shards, "shards");
        this.prefix = shards.keyPrefix().getBytes(StandardCharsets.UTF_8);
        this.commandTimeout = shards.connections().properties().commandTimeout();
        this.connectTimeout = shards.connections().properties().connectTimeout();
        this.publishers = shards.connectEach("broker's publishing connection",
                (client, uri) -> client.connectAsync(ByteArrayCodec.INSTANCE, uri), null,
                BrokerUnavailableException::new);
        long period = RECONCILE_PERIOD.toMillis();
        this.reconciler = shards.connections().executor().scheduleWithFixedDelay(this::reconcile, period, period,
                TimeUnit.MILLISECONDS);
    }

    public ShardRouter router() {
        return shards.router();
    }

    RedisShards shards() {
        return shards;
    }

    /** The lanes the nodes' fan-out runs on, off Lettuce's I/O threads. */
    public FanoutLanes lanes() {
        return lanes;
    }

    byte[] redisChannel(ChannelKey key) {
        byte[] name = (key.appId() + ":" + key.channel()).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[prefix.length + name.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(name, 0, out, prefix.length, name.length);
        return out;
    }

    /** The channel a Redis channel name stands for, or {@code null} when it is not one of ours. */
    ChannelKey channelKey(byte[] redisChannel) {
        if (redisChannel.length <= prefix.length) {
            return null;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (redisChannel[i] != prefix[i]) {
                return null;
            }
        }
        String rest = new String(redisChannel, prefix.length, redisChannel.length - prefix.length,
                StandardCharsets.UTF_8);
        int colon = rest.indexOf(':');
        return colon <= 0 ? null : new ChannelKey(rest.substring(0, colon), rest.substring(colon + 1));
    }

    int shardOf(ChannelKey key) {
        return shards.shardOf(key.appId(), key.channel());
    }

    Duration commandTimeout() {
        return commandTimeout;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * One PUBLISH on the channel's shard, through Lettuce's asynchronous API: its future costs less
     * per command than the reactive API's publisher. The command timeout is Lettuce's own
     * ({@link io.herald.core.redis.RedisConnections} sets it for every command), so the publish
     * needs no timer of its own; a PUBLISH Redis does not answer in time fails with
     * {@link BrokerUnavailableException} all the same.
     */
    @Override
    public Mono<Void> publish(Envelope envelope) {
        RedisLink<StatefulRedisConnection<byte[], byte[]>> publisher = publishers.get(shardOf(envelope.channel()));
        return publisher.run(connection -> Mono.fromCompletionStage(connection.async()
                .publish(redisChannel(envelope.channel()), EnvelopeCodec.encode(envelope)))
                .then());
    }

    @Override
    public Node openNode(NodeListener listener) {
        RedisNode node = new RedisNode(this, Objects.requireNonNull(listener, "listener"));
        nodes.add(node);
        return node;
    }

    void forget(RedisNode node) {
        nodes.remove(node);
    }

    @Override
    public List<Boolean> shardHealth() {
        return publishers.stream().map(RedisLink::isUp).toList();
    }

    private void reconcile() {
        for (RedisNode node : nodes) {
            try {
                node.reconcile();
            }
            catch (RuntimeException ex) {
                log.warn("Reconciling Redis subscriptions failed; will retry", ex);
            }
        }
    }

    /** Closes the nodes and the publishing connections; the shared client and resources stay. */
    @Override
    public void close() {
        reconciler.cancel(false);
        for (RedisNode node : List.copyOf(nodes)) {
            node.close();
        }
        publishers.forEach(RedisLink::close);
        if (ownsLanes) {
            lanes.close();
        }
    }
}
