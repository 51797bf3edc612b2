package io.herald.core.broker.redis;

import io.herald.core.broker.Broker;
import io.herald.core.broker.BrokerUnavailableException;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.EnvelopeCodec;
import io.herald.core.redis.RedisClients;
import io.herald.core.redis.RedisProperties;
import io.herald.core.shard.ShardRouter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A {@link Broker} over Redis pub/sub on several independent shards.
 *
 * <p>Each channel is published to and subscribed on the shard {@link ShardRouter} picks. The
 * Redis channel name is {@code keyPrefix + appId + ":" + channel}. Each shard has one connection
 * for publishing, shared by the whole process, and each {@link Node} has one pub/sub connection
 * per shard, so a message crosses the network once per interested node.
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

    /** How long {@link #close()} waits for the shard clients to close their connections. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

    private final ClientResources resources;
    private final ShardRouter router;
    private final List<Shard> shards = new ArrayList<>();
    private final byte[] prefix;
    private final Duration commandTimeout;
    private final Duration connectTimeout;
    private final List<RedisNode> nodes = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> reconciler;

    public RedisBroker(RedisProperties properties) {
        Objects.requireNonNull(properties, "properties");
        if (properties.shards().isEmpty()) {
            throw new IllegalArgumentException("herald.redis.shards must list at least one Redis URI");
        }
        this.resources = RedisClients.resources(properties).build();
        this.router = new ShardRouter(properties.shards().size());
        this.prefix = properties.keyPrefix().getBytes(StandardCharsets.UTF_8);
        this.commandTimeout = properties.commandTimeout();
        this.connectTimeout = properties.connectTimeout();
        ClientOptions options = RedisClients.failFastOptions(properties);
        for (int i = 0; i < properties.shards().size(); i++) {
            URI uri = properties.shards().get(i);
            RedisClient client = RedisClient.create(resources);
            client.setOptions(options);
            Shard shard = new Shard(i, client, RedisURI.create(uri), RedisClients.redacted(uri), resources,
                    properties.reconnectMaxDelay());
            shards.add(shard);
            shard.connectPublisher();
        }
        long period = RECONCILE_PERIOD.toMillis();
        this.reconciler = resources.eventExecutorGroup().scheduleWithFixedDelay(this::reconcile, period, period,
                TimeUnit.MILLISECONDS);
    }

    public ShardRouter router() {
        return router;
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

    Shard shardOf(ChannelKey key) {
        return shards.get(router.shardOf(key.appId(), key.channel()));
    }

    List<Shard> shards() {
        return shards;
    }

    Duration commandTimeout() {
        return commandTimeout;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public Mono<Void> publish(Envelope envelope) {
        Shard shard = shardOf(envelope.channel());
        StatefulRedisConnection<byte[], byte[]> connection = shard.publisher();
        if (connection == null || !connection.isOpen()) {
            return Mono.error(shard.unavailable(null));
        }
        byte[] payload = EnvelopeCodec.encode(envelope);
        return connection.reactive().publish(redisChannel(envelope.channel()), payload)
                .timeout(commandTimeout)
                .onErrorMap(ex -> !(ex instanceof BrokerUnavailableException), shard::unavailable)
                .then();
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
        return shards.stream().map(Shard::isUp).toList();
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

    @Override
    public void close() {
        reconciler.cancel(false);
        for (RedisNode node : List.copyOf(nodes)) {
            node.close();
        }
        CompletableFuture<?>[] clients = shards.stream().map(Shard::close).toArray(CompletableFuture[]::new);
        // The shared event loops go only after the clients have closed their connections;
        // shutting them down first makes Netty reject the clients' close notifications.
        try {
            CompletableFuture.allOf(clients).get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException ex) {
            log.debug("Redis clients did not close within {}", CLOSE_TIMEOUT, ex);
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** One Redis shard: its client and the process-wide publishing connection. */
    static final class Shard {

        final int index;
        final RedisClient client;
        final RedisURI uri;
        final String name;
        private final ClientResources resources;
        private final Duration maxRetryDelay;
        private volatile StatefulRedisConnection<byte[], byte[]> publisher;
        private volatile boolean closed;

        Shard(int index, RedisClient client, RedisURI uri, String name, ClientResources resources,
                Duration maxRetryDelay) {
            this.index = index;
            this.client = client;
            this.uri = uri;
            this.name = name;
            this.resources = resources;
            this.maxRetryDelay = maxRetryDelay;
        }

        void connectPublisher() {
            connectWithRetry(this, () -> client.connectAsync(ByteArrayCodec.INSTANCE, uri),
                    connection -> publisher = connection, 0);
        }

        StatefulRedisConnection<byte[], byte[]> publisher() {
            return publisher;
        }

        boolean isUp() {
            StatefulRedisConnection<byte[], byte[]> connection = publisher;
            return connection != null && connection.isOpen();
        }

        boolean closed() {
            return closed;
        }

        ClientResources resources() {
            return resources;
        }

        BrokerUnavailableException unavailable(Throwable cause) {
            return new BrokerUnavailableException(index, "Redis shard " + index + " (" + name + ") is unavailable",
                    cause);
        }

        CompletableFuture<Void> close() {
            closed = true;
            StatefulRedisConnection<byte[], byte[]> connection = publisher;
            if (connection != null) {
                connection.closeAsync();
            }
            return client.shutdownAsync(0, 2, TimeUnit.SECONDS);
        }
    }

    /**
     * Connects, retrying with capped backoff until it succeeds or the shard is closed. Lettuce
     * reconnects an established connection by itself; this covers a shard that is down when
     * the connection is first made.
     */
    static <C extends StatefulConnection<?, ?>> void connectWithRetry(Shard shard,
            Supplier<? extends CompletionStage<C>> connect, Consumer<C> onConnected, int attempt) {
        if (shard.closed()) {
            return;
        }
        connect.get().whenComplete((connection, error) -> {
            if (error == null) {
                if (shard.closed()) {
                    connection.closeAsync();
                    return;
                }
                if (attempt > 0) {
                    log.info("Connected to Redis shard {} ({}) after {} attempts", shard.index, shard.name, attempt + 1);
                }
                onConnected.accept(connection);
                return;
            }
            long delay = Math.min(shard.maxRetryDelay.toMillis(), 50L << Math.min(attempt, 10));
            if (attempt == 0) {
                log.warn("Redis shard {} ({}) is unreachable: {}; retrying in the background", shard.index,
                        shard.name, error.getMessage());
            }
            shard.resources().eventExecutorGroup().schedule(
                    () -> connectWithRetry(shard, connect, onConnected, attempt + 1), delay, TimeUnit.MILLISECONDS);
        });
    }
}
