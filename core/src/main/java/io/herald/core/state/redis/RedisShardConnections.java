package io.herald.core.state.redis;

import io.herald.core.broker.ChannelKey;
import io.herald.core.redis.RedisClients;
import io.herald.core.redis.RedisProperties;
import io.herald.core.shard.ShardRouter;
import io.herald.core.state.ChannelStateUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One command connection per Redis shard, for the channel-state adapters: the same shard list
 * and {@link ShardRouter} as the broker, so a channel's state lives on the shard that carries
 * its messages.
 *
 * <p>As in the broker: commands are rejected at once while a shard is disconnected (no
 * queueing) and fail with {@link ChannelStateUnavailableException}; Lettuce reconnects an
 * established connection by itself, and a shard that was down at start is retried in the
 * background with capped exponential backoff. These are separate connections from the
 * broker's: the broker's publishing connection carries the hot path and is not slowed by
 * scripts.
 */
final class RedisShardConnections<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisShardConnections.class);

    /** How long {@link #close()} waits for the clients to close their connections. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

    /** Command connections need few threads; the defaults (one per CPU each) are for pub/sub fan-in. */
    private static final int IO_THREADS = 2;

    private final ClientResources resources;
    private final ShardRouter router;
    private final List<Shard<V>> shards = new ArrayList<>();
    private final String keyPrefix;
    private final Duration maxRetryDelay;

    RedisShardConnections(RedisProperties properties, RedisCodec<String, V> codec) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(codec, "codec");
        if (properties.shards().isEmpty()) {
            throw new IllegalArgumentException("herald.redis.shards must list at least one Redis URI");
        }
        this.resources = RedisClients.resources(properties)
                .ioThreadPoolSize(IO_THREADS)
                .computationThreadPoolSize(IO_THREADS)
                .build();
        this.router = new ShardRouter(properties.shards().size());
        this.keyPrefix = properties.keyPrefix();
        this.maxRetryDelay = properties.reconnectMaxDelay();
        ClientOptions options = RedisClients.failFastOptions(properties);
        for (int i = 0; i < properties.shards().size(); i++) {
            URI uri = properties.shards().get(i);
            RedisClient client = RedisClient.create(resources);
            client.setOptions(options);
            Shard<V> shard = new Shard<>(i, client, RedisURI.create(uri), RedisClients.redacted(uri), codec);
            shards.add(shard);
            connect(shard, 0);
        }
    }

    String keyPrefix() {
        return keyPrefix;
    }

    int size() {
        return shards.size();
    }

    int shardOf(ChannelKey channel) {
        return router.shardOf(channel.appId(), channel.channel());
    }

    boolean isUp(int shard) {
        StatefulRedisConnection<String, V> connection = shards.get(shard).connection;
        return connection != null && connection.isOpen();
    }

    /**
     * Runs {@code command} on the shard; a shard that is not connected, a timeout or a lost
     * connection fail with {@link ChannelStateUnavailableException}. Errors Redis itself reports
     * (a bug in a script, a wrong type) are passed on as they are.
     */
    <T> Mono<T> on(int index, Function<RedisReactiveCommands<String, V>, Mono<T>> command) {
        Shard<V> shard = shards.get(index);
        return Mono.defer(() -> {
            StatefulRedisConnection<String, V> connection = shard.connection;
            if (connection == null || !connection.isOpen()) {
                return Mono.error(shard.unavailable(null));
            }
            return command.apply(connection.reactive());
        }).onErrorMap(ex -> !(ex instanceof ChannelStateUnavailableException)
                && !(ex instanceof RedisCommandExecutionException), shard::unavailable);
    }

    private void connect(Shard<V> shard, int attempt) {
        if (shard.closed) {
            return;
        }
        shard.client.connectAsync(shard.codec, shard.uri).whenComplete((connection, error) -> {
            if (error == null) {
                if (shard.closed) {
                    connection.closeAsync();
                    return;
                }
                if (attempt > 0) {
                    log.info("Channel state connected to Redis shard {} ({}) after {} attempts", shard.index,
                            shard.name, attempt + 1);
                }
                shard.connection = connection;
                return;
            }
            long delay = Math.min(maxRetryDelay.toMillis(), 50L << Math.min(attempt, 10));
            if (attempt == 0) {
                log.warn("Redis shard {} ({}) is unreachable for channel state: {}; retrying in the background",
                        shard.index, shard.name, error.getMessage());
            }
            resources.eventExecutorGroup().schedule(() -> connect(shard, attempt + 1), delay, TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Shard<V> shard : shards) {
            shard.closed = true;
            // shutting the client down closes its connection
            closing.add(shard.client.shutdownAsync(0, 2, TimeUnit.SECONDS));
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException ex) {
            log.debug("Redis clients did not close within {}", CLOSE_TIMEOUT, ex);
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static final class Shard<V> {

        final int index;
        final RedisClient client;
        final RedisURI uri;
        final String name;
        final RedisCodec<String, V> codec;
        volatile StatefulRedisConnection<String, V> connection;
        volatile boolean closed;

        Shard(int index, RedisClient client, RedisURI uri, String name, RedisCodec<String, V> codec) {
            this.index = index;
            this.client = client;
            this.uri = uri;
            this.name = name;
            this.codec = codec;
        }

        ChannelStateUnavailableException unavailable(Throwable cause) {
            return new ChannelStateUnavailableException(index, "Redis shard " + index + " (" + name
                    + ") is unavailable", cause);
        }
    }
}
