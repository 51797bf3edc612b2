package io.herald.bench.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.shard.ShardRouter;
import org.junit.jupiter.api.Test;

/** The simulation's copy of the shard hash chooses the same shard as core's router. */
class ShardHashTest {

    @Test
    void choosesTheShardCoreChoosesForEveryChannelAndShardCount() {
        int[] shardCounts = {1, 2, 3, 7, 16, 64, 1_000};
        String[] prefixes = {"channel-", "private-", "presence-room-", "#server-to-user-", "privé-ünïcode-"};
        int compared = 0;
        for (int shards : shardCounts) {
            ShardRouter core = new ShardRouter(shards);
            for (int app = 0; app < 5; app++) {
                for (String prefix : prefixes) {
                    for (int i = 0; i < 400; i++) {
                        String appId = "app-" + app;
                        String channel = prefix + i;
                        assertThat(ShardHash.shardOf(appId, channel, shards))
                                .as("%s:%s on %d shards", appId, channel, shards)
                                .isEqualTo(core.shardOf(appId, channel));
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isEqualTo(7 * 5 * 5 * 400);
    }

    @Test
    void usesEveryShard() {
        boolean[] seen = new boolean[16];
        for (int i = 0; i < 1_000; i++) {
            seen[ShardHash.shardOf("app", "channel-" + i, 16)] = true;
        }
        for (boolean s : seen) {
            assertThat(s).isTrue();
        }
    }
}
