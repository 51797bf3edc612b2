package io.herald.core.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShardRouterTest {

    private static final int CHANNELS = 100_000;

    @Test
    void isDeterministicAcrossInstances() {
        ShardRouter a = new ShardRouter(7);
        ShardRouter b = new ShardRouter(7);

        for (int i = 0; i < 10_000; i++) {
            assertThat(a.shardOf("app-" + (i % 13), "channel-" + i)).isEqualTo(b.shardOf("app-" + (i % 13),
                    "channel-" + i));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 2, 3, 5, 8, 16, 100 })
    void staysInRange(int shards) {
        ShardRouter router = new ShardRouter(shards);

        for (int i = 0; i < 20_000; i++) {
            assertThat(router.shardOf("app", "channel-" + i)).isBetween(0, shards - 1);
        }
    }

    @Test
    void spreadsChannelsEvenly() {
        int shards = 8;
        ShardRouter router = new ShardRouter(shards);
        int[] counts = new int[shards];

        for (int i = 0; i < CHANNELS; i++) {
            counts[router.shardOf("app-1", "private-chat-" + i)]++;
        }

        double mean = (double) CHANNELS / shards;
        for (int shard = 0; shard < shards; shard++) {
            assertThat((double) counts[shard]).as("shard %d", shard).isBetween(mean * 0.95, mean * 1.05);
        }
    }

    @Test
    void spreadsTheSameChannelNameOfManyAppsEvenly() {
        int shards = 4;
        ShardRouter router = new ShardRouter(shards);
        int[] counts = new int[shards];

        for (int i = 0; i < CHANNELS; i++) {
            counts[router.shardOf("app-" + i, "notifications")]++;
        }

        double mean = (double) CHANNELS / shards;
        for (int shard = 0; shard < shards; shard++) {
            assertThat((double) counts[shard]).as("shard %d", shard).isBetween(mean * 0.95, mean * 1.05);
        }
    }

    @Test
    void addingAShardMovesAboutOneInNPlusOneChannelsAllToTheNewShard() {
        for (int n = 1; n <= 12; n++) {
            ShardRouter before = new ShardRouter(n);
            ShardRouter after = new ShardRouter(n + 1);
            int moved = 0;

            for (int i = 0; i < CHANNELS; i++) {
                String channel = "presence-room-" + i;
                int from = before.shardOf("app-1", channel);
                int to = after.shardOf("app-1", channel);
                if (from != to) {
                    moved++;
                    assertThat(to).as("%s moved from %d shards to %d", channel, n, n + 1).isEqualTo(n);
                }
            }

            double expected = (double) CHANNELS / (n + 1);
            assertThat((double) moved).as("channels moved from %d to %d shards", n, n + 1)
                    .isBetween(0.8 * expected, 1.2 * expected);
        }
    }

    @Test
    void oneShardIsAlwaysShardZero() {
        ShardRouter router = new ShardRouter(1);

        assertThat(router.shardCount()).isEqualTo(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(router.shardOf("app-" + i, "channel-" + i)).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, -1, Integer.MIN_VALUE })
    void rejectsAShardCountBelowOne(int shards) {
        assertThatThrownBy(() -> new ShardRouter(shards)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(shards));
    }

    /**
     * The hash is part of the cluster's contract: publishers and edge nodes of different versions
     * must agree. These values were computed independently of the Java code (a Python rendition
     * of FNV-1a 64, the SplitMix64 finalizer and jump hash); if they change, every deployed
     * channel moves.
     */
    @ParameterizedTest
    @CsvSource({
            "app-1, my-channel,       2",
            "app-2, my-channel,       1",
            "app-1, private-chat,     2",
            "app-1, presence-room-42, 1",
            "1,     a,                0",
            "app-1, é-unicode,        0",
            "app-1, cache-x,          0" })
    void knownChannelsStayOnTheirShardOfThree(String appId, String channel, int shard) {
        assertThat(new ShardRouter(3).shardOf(appId, channel)).isEqualTo(shard);
    }

    @ParameterizedTest
    @CsvSource({
            "app-1, my-channel,       2",
            "app-1, private-chat,     6",
            "app-1, presence-room-42, 6",
            "app-2, my-channel,       4",
            "app-1, é-unicode,        3" })
    void knownChannelsStayOnTheirShardOfEight(String appId, String channel, int shard) {
        assertThat(new ShardRouter(8).shardOf(appId, channel)).isEqualTo(shard);
    }

    @Test
    void theAppIsPartOfTheKey() {
        ShardRouter router = new ShardRouter(16);
        int differ = 0;

        for (int i = 0; i < 1000; i++) {
            if (router.shardOf("app-a", "ch-" + i) != router.shardOf("app-b", "ch-" + i)) {
                differ++;
            }
        }

        assertThat(differ).isGreaterThan(800);
    }
}
