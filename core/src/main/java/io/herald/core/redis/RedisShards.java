package io.herald.core.redis;

import io.herald.core.shard.ShardRouter;
import io.lettuce.core.api.StatefulConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The Redis shards that carry channels, and the one {@link ShardRouter} that places a channel on
 * one of them. The broker, the channel state and the cache take this object (from
 * {@link RedisConnections#shards()}) rather than the URI list, so they cannot disagree on where
 * a channel lives: its messages, its presence and its last cached event are on the same shard.
 */
public final class RedisShards {

    private final RedisConnections connections;
    private final List<RedisShard> shards;
    private final ShardRouter router;

    RedisShards(RedisConnections connections, List<RedisShard> shards) {
        this.connections = connections;
        this.shards = List.copyOf(shards);
        this.router = new ShardRouter(shards.size());
    }

    public ShardRouter router() {
        return router;
    }

    public int size() {
        return shards.size();
    }

    /** The shards, in configuration order (index {@code i} at position {@code i}). */
    public List<RedisShard> list() {
        return shards;
    }

    /** The index of the shard that carries the channel. */
    public int shardOf(String appId, String channel) {
        return router.shardOf(appId, channel);
    }

    public RedisConnections connections() {
        return connections;
    }

    public String keyPrefix() {
        return connections.keyPrefix();
    }

    /**
     * One connection per shard, in shard order, each made in the background (see
     * {@link RedisConnections#connect}); a shard's outage fails its calls with
     * {@code unavailable}'s error for that shard.
     */
    public <C extends StatefulConnection<?, ?>> List<RedisLink<C>> connectEach(String purpose,
            RedisLink.Connector<C> connector, Consumer<C> prepare, RedisUnavailable.OfShard unavailable) {
        Objects.requireNonNull(unavailable, "unavailable");
        List<RedisLink<C>> links = new ArrayList<>(shards.size());
        for (RedisShard shard : shards) {
            links.add(connect(shard, purpose, connector, prepare, unavailable));
        }
        return links;
    }

    /** One connection to one shard; see {@link #connectEach}. */
    public <C extends StatefulConnection<?, ?>> RedisLink<C> connect(RedisShard shard, String purpose,
            RedisLink.Connector<C> connector, Consumer<C> prepare, RedisUnavailable.OfShard unavailable) {
        int index = shard.index();
        return connections.connect(shard.name(), shard.target(), purpose, connector, prepare,
                (message, cause) -> unavailable.error(index, message, cause));
    }
}
