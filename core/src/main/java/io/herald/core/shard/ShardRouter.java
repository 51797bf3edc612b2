package io.herald.core.shard;

import java.nio.charset.StandardCharsets;

/**
 * Chooses the Redis shard of a channel: {@code jumpHash(hash64(appId + ":" + channel), shards)}.
 *
 * <p>Publishers and edge nodes must agree, so this is the one implementation every service uses.
 * Jump consistent hashing (Lamping and Veach, 2014) spreads channels evenly and, when the shard
 * count grows from N to N+1, moves only about 1/(N+1) of the channels, all of them to the new
 * shard. The key hash is FNV-1a 64 followed by the SplitMix64 finalizer; it is part of the
 * cluster's contract and must never change, or every channel would move at once.
 */
public final class ShardRouter {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int shardCount;

    public ShardRouter(int shardCount) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shardCount must be at least 1, was " + shardCount);
        }
        this.shardCount = shardCount;
    }

    public int shardCount() {
        return shardCount;
    }

    /** The index, in {@code [0, shardCount)}, of the shard that carries the channel. */
    public int shardOf(String appId, String channel) {
        return shardCount == 1 ? 0 : jumpHash(hash64(appId + ":" + channel), shardCount);
    }

    /** FNV-1a 64 over the UTF-8 bytes, then SplitMix64's finalizer to spread the bits. */
    static long hash64(String key) {
        long h = FNV_OFFSET;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= FNV_PRIME;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /** Jump consistent hash: Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm". */
    static int jumpHash(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }
}
