package io.herald.core.state.redis;

import io.herald.core.redis.RedisLink;
import io.herald.core.redis.RedisShards;
import io.herald.core.state.ChannelStateTimeoutException;
import io.herald.core.state.ChannelStateUnavailableException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.RedisCodec;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * One command connection per Redis shard, for the channel-state adapters, routed by the same
 * {@link RedisShards} as the broker, so a channel's state lives on the shard that carries its
 * messages. The connections are made, retried and mapped to
 * {@link ChannelStateUnavailableException} by {@link io.herald.core.redis.RedisConnections}.
 * They are separate from the broker's: its publishing connection carries the hot path and is
 * not slowed by scripts.
 */
final class RedisShardConnections<V> implements AutoCloseable {

    private final RedisShards shards;
    private final List<RedisLink<StatefulRedisConnection<String, V>>> links;

    RedisShardConnections(RedisShards shards, RedisCodec<String, V> codec, String purpose) {
        this.shards = Objects.requireNonNull(shards, "shards");
        Objects.requireNonNull(codec, "codec");
        this.links = shards.connectEach(purpose, (client, uri) -> client.connectAsync(codec, uri), null,
                RedisShardConnections::unavailable);
    }

    /** A timeout is not an outage: the shard is up but slow, and the command may have run. */
    private static ChannelStateUnavailableException unavailable(int shard, String message, Throwable cause) {
        return cause instanceof RedisCommandTimeoutException
                ? new ChannelStateTimeoutException(shard, message, cause)
                : new ChannelStateUnavailableException(shard, message, cause);
    }

    String keyPrefix() {
        return shards.keyPrefix();
    }

    int size() {
        return links.size();
    }

    int shardOf(io.herald.core.broker.ChannelKey channel) {
        return shards.shardOf(channel.appId(), channel.channel());
    }

    /** Runs {@code hook} each time the shard's connection is made again; see {@link RedisLink#onReconnect}. */
    void onReconnect(int shard, Runnable hook) {
        links.get(shard).onReconnect(hook);
    }

    boolean isUp(int shard) {
        return links.get(shard).isUp();
    }

    /**
     * Runs {@code command} on the shard; a shard that is not connected or a lost connection fail
     * with {@link ChannelStateUnavailableException}, a timeout with its subclass
     * {@link ChannelStateTimeoutException}. Errors Redis itself reports
     * (a bug in a script, a wrong type) are passed on as they are.
     */
    <T> Mono<T> on(int index, Function<RedisReactiveCommands<String, V>, Mono<T>> command) {
        return links.get(index).run(connection -> command.apply(connection.reactive()));
    }

    /** Closes this adapter's connections; the shared client and resources stay. */
    @Override
    public void close() {
        links.forEach(RedisLink::close);
    }
}
