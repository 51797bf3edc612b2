package io.herald.core.state.redis;

import io.herald.core.broker.ChannelKey;
import io.herald.core.redis.RedisShards;
import io.herald.core.state.ChannelCache;
import io.lettuce.core.SetArgs;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * {@link ChannelCache} over Redis: the last frame of a cache channel under
 * {@code <key-prefix>cache:<app>:<channel>} on the channel's shard, written with
 * {@code SET … PX ttl}, so Redis expires it. Every node of the cluster sees the same last event.
 * A shard that cannot be reached fails the call with
 * {@link io.herald.core.state.ChannelStateUnavailableException}.
 */
public final class RedisChannelCache implements ChannelCache, AutoCloseable {

    private final RedisShardConnections<byte[]> shards;
    private final String prefix;

    public RedisChannelCache(RedisShards shards) {
        this.shards = new RedisShardConnections<>(shards, RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE),
                "channel cache");
        this.prefix = shards.keyPrefix();
    }

    @Override
    public Mono<Void> store(ChannelKey channel, byte[] frame, Duration ttl) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(ttl, "ttl");
        SetArgs px = SetArgs.Builder.px(Math.max(1, ttl.toMillis()));
        return shards.on(shards.shardOf(channel), redis -> redis.set(key(channel), frame, px)).then();
    }

    @Override
    public Mono<byte[]> last(ChannelKey channel) {
        Objects.requireNonNull(channel, "channel");
        return shards.on(shards.shardOf(channel), redis -> redis.get(key(channel)));
    }

    private String key(ChannelKey channel) {
        return prefix + "cache:" + channel.appId() + ":" + channel.channel();
    }

    @Override
    public void close() {
        shards.close();
    }
}
