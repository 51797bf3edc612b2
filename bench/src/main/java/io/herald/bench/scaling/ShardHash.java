package io.herald.bench.scaling;

import java.nio.charset.StandardCharsets;

/**
 * The shard of a channel, computed exactly as {@code io.herald.core.shard.ShardRouter} does:
 * {@code jumpHash(splitmix64(fnv1a64(appId + ":" + channel)), shards)}.
 *
 * <p>A copy rather than a dependency: {@code herald-core} brings Spring Boot, Lettuce and Reactor
 * Netty's HTTP server, which the load tool's jar must not carry. {@code ShardHashTest} compares
 * this with core's router for thousands of channels and several shard counts, so the copy cannot
 * drift from the cluster's contract unnoticed.
 */
public final class ShardHash {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private ShardHash() {
    }

    /** The index, in {@code [0, shards)}, of the shard that carries the channel. */
    public static int shardOf(String appId, String channel, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, was " + shards);
        }
        return shards == 1 ? 0 : jumpHash(hash64(appId + ":" + channel), shards);
    }

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
