package io.herald.core.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.broker.ChannelKey;
import io.herald.core.shard.ShardRouter;
import io.herald.core.state.ChannelCache;
import io.herald.core.state.ChannelCacheContractTest;
import io.herald.core.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cache contract on two real Redis shards, and where the entries live. */
class RedisChannelCacheTest extends ChannelCacheContractTest {

    private static RedisServer shard0;
    private static RedisServer shard1;

    private final String prefix = RedisServer.uniquePrefix();
    private RedisChannelCache redisCache;
    private io.herald.core.redis.RedisConnections connections;

    @BeforeAll
    static void startRedis() {
        shard0 = RedisServer.start();
        shard1 = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (shard0 != null) {
            shard0.close();
        }
        if (shard1 != null) {
            shard1.close();
        }
    }

    @Override
    protected ChannelCache createCache() {
        connections = new io.herald.core.redis.RedisConnections(RedisChannelStateTest.properties(prefix, shard0, shard1));
        redisCache = new RedisChannelCache(connections.shards());
        org.awaitility.Awaitility.await().atMost(TIMEOUT).ignoreExceptions()
                .until(() -> redisCache.last(new ChannelKey("probe", "probe")).defaultIfEmpty(new byte[0])
                        .block(TIMEOUT) != null);
        return redisCache;
    }

    @Override
    protected void close() {
        redisCache.close();
        connections.close();
    }

    @Test
    void eachEntryIsOnItsChannelsShardWithAnExpiry() {
        ShardRouter router = new ShardRouter(2);
        for (int i = 0; i < 8; i++) {
            ChannelKey channel = new ChannelKey("app-1", "cache-" + i);
            cache.store(channel, new byte[] { (byte) i }, Duration.ofMinutes(30)).block(TIMEOUT);
            RedisServer owner = List.of(shard0, shard1).get(router.shardOf(channel.appId(), channel.channel()));
            try (RedisClient client = RedisClient.create(owner.uri().toString());
                    StatefulRedisConnection<String, String> connection = client.connect()) {
                String key = prefix + "cache:app-1:cache-" + i;
                assertThat(connection.sync().exists(key)).isEqualTo(1);
                assertThat(connection.sync().pttl(key)).isBetween(1L, Duration.ofMinutes(30).toMillis());
            }
        }
    }
}
