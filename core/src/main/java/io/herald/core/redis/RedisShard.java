package io.herald.core.redis;

import java.util.Objects;

/**
 * One shard of {@code herald.redis.shards}.
 *
 * @param index its position in the list, which the shard router returns
 * @param target where it is
 */
public record RedisShard(int index, RedisTarget target) {

    public RedisShard {
        Objects.requireNonNull(target, "target");
    }

    /** Its name in health details and logs: {@code shard-<index>}. */
    public String name() {
        return "shard-" + index;
    }
}
