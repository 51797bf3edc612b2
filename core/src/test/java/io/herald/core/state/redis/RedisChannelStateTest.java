package io.herald.core.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.ChannelKey;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.shard.ShardRouter;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelStateContractTest;
import io.herald.core.state.ChannelStateUnavailableException;
import io.herald.core.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The channel-state contract on two real {@code redis-server} shards, each test under its own
 * key prefix; the peer is a second {@link RedisChannelState} on the same shards, as another
 * node's process would have. Plus what only Redis can do: lose a shard.
 */
class RedisChannelStateTest extends ChannelStateContractTest {

    private static RedisServer shard0;
    private static RedisServer shard1;

    private final String prefix = RedisServer.uniquePrefix();
    private final List<RedisChannelState> opened = new ArrayList<>();
    private final List<RedisConnections> connections = new ArrayList<>();

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

    static RedisProperties properties(String prefix, RedisServer... servers) {
        List<URI> uris = List.of(servers).stream().map(RedisServer::uri).toList();
        return new RedisProperties(uris, prefix, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(500));
    }

    private RedisChannelState open(RedisServer... servers) {
        RedisConnections made = new RedisConnections(properties(prefix, servers));
        connections.add(made);
        RedisChannelState state = new RedisChannelState(made.shards(), Duration.ofSeconds(10));
        opened.add(state);
        // connections are made in the background
        await().atMost(TIMEOUT).until(() -> !state.shardHealth().contains(false));
        return state;
    }

    @Override
    protected ChannelState createState() {
        return open(shard0, shard1);
    }

    @Override
    protected ChannelState peer() {
        return open(shard0, shard1);
    }

    @Override
    protected void close() {
        opened.forEach(RedisChannelState::close);
        connections.forEach(RedisConnections::close);
    }

    @Test
    void aDownShardFailsItsChannelsFastAndTheOtherShardKeepsWorking() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start()) {
            RedisChannelState twoShards = open(a, b);
            ShardRouter router = new ShardRouter(2);
            ChannelKey onA = null;
            ChannelKey onB = null;
            for (int i = 0; onA == null || onB == null; i++) {
                ChannelKey key = new ChannelKey("app-1", "c-" + i);
                if (router.shardOf(key.appId(), key.channel()) == 0) {
                    onA = key;
                }
                else {
                    onB = key;
                }
            }
            ChannelKey down = onB;
            ChannelKey up = onA;
            twoShards.join(down, "n1", "1.1", null).block(TIMEOUT);
            b.stop();

            StepVerifier.create(twoShards.join(down, "n1", "1.2", null))
                    .expectError(ChannelStateUnavailableException.class)
                    .verify(TIMEOUT);
            StepVerifier.create(twoShards.subscriptionCount(up)).expectNext(0L).expectComplete().verify(TIMEOUT);
            StepVerifier.create(twoShards.heartbeat("n1")).expectError(ChannelStateUnavailableException.class)
                    .verify(TIMEOUT);
            StepVerifier.create(twoShards.reapDeadNodes(Duration.ofSeconds(30))).as("reaping skips the down shard")
                    .expectComplete().verify(TIMEOUT);

            b.restart();
            await().atMost(TIMEOUT).ignoreExceptions()
                    .until(() -> twoShards.join(down, "n1", "1.3", null).block(TIMEOUT).subscriptionCount() == 1);
            assertThat(twoShards.subscriptionCount(up).block(TIMEOUT)).isZero();
        }
    }

    @Test
    void aShardThatRestartsEmptyIsReportedLostToEveryNodeUntilEachSettlesIt() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start()) {
            RedisChannelState node1 = open(a, b);
            RedisChannelState node2 = open(a, b);
            ChannelKey onA = onShard(0);
            ChannelKey onB = onShard(1);
            node1.join(onA, "n1", "1.1", null).block(TIMEOUT);
            node1.join(onB, "n1", "1.2", null).block(TIMEOUT);
            node2.join(onB, "n2", "2.1", null).block(TIMEOUT);
            assertThat(node1.checkForLosses().collectList().block(TIMEOUT)).isEmpty();

            // Twice before anyone looks: still one loss, whatever happened meanwhile.
            b.restart();
            b.restart();
            await().atMost(TIMEOUT).until(() -> !node1.shardHealth().contains(false)
                    && !node2.shardHealth().contains(false));
            assertThat(node1.subscriptionCount(onB).block(TIMEOUT)).as("the shard came back empty").isZero();

            List<ChannelState.StateLoss> seen1 = node1.checkForLosses().collectList().block(TIMEOUT);
            List<ChannelState.StateLoss> seen2 = node2.checkForLosses().collectList().block(TIMEOUT);
            assertThat(seen1).hasSize(1);
            assertThat(seen2).as("the other node detects it too").hasSize(1);
            ChannelState.StateLoss loss = seen1.get(0);
            assertThat(loss.covers(onB)).isTrue();
            assertThat(loss.covers(onA)).isFalse();
            assertThat(loss.description()).isEqualTo("Redis shard 1");
            assertThat(node1.checkForLosses().collectList().block(TIMEOUT)).as("reported until settled").hasSize(1);

            node1.rejoin(onB, "n1", "1.2", null).block(TIMEOUT);
            loss.settle();
            assertThat(node1.checkForLosses().collectList().block(TIMEOUT)).isEmpty();
            assertThat(node2.checkForLosses().collectList().block(TIMEOUT)).as("node 2 has not settled").hasSize(1);
            node2.rejoin(onB, "n2", "2.1", null).block(TIMEOUT);
            seen2.get(0).settle();
            assertThat(node2.checkForLosses().collectList().block(TIMEOUT)).isEmpty();
            assertThat(node1.subscriptionCount(onB).block(TIMEOUT)).isEqualTo(2);
            assertThat(node1.subscriptionCount(onA).block(TIMEOUT)).isEqualTo(1);
        }
    }

    @Test
    void aShardReachedAgainIsSignalledSoThatItIsCheckedAtOnce() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start()) {
            RedisChannelState node = open(a, b);
            List<Integer> suspected = new java.util.concurrent.CopyOnWriteArrayList<>();
            reactor.core.Disposable watching = node.lossSuspected().subscribe(suspected::add);
            try {
                b.restart();
                await().atMost(TIMEOUT).until(() -> suspected.contains(1));
                assertThat(suspected).doesNotContain(0);
            }
            finally {
                watching.dispose();
            }
        }
    }

    @Test
    void aLossBeforeTheFirstCheckIsReportedBecauseTheFirstJoinLearnsTheEpoch() {
        try (RedisServer a = RedisServer.start()) {
            RedisChannelState node = open(a);
            ChannelKey channel = new ChannelKey("app-1", "learnt");
            node.join(channel, "n1", "1.1", null).block(TIMEOUT);
            a.restart();
            await().atMost(TIMEOUT).until(() -> !node.shardHealth().contains(false));
            assertThat(node.checkForLosses().collectList().block(TIMEOUT)).hasSize(1);
        }
    }

    @Test
    void aDownShardIsSkippedByTheCheck() {
        try (RedisServer a = RedisServer.start()) {
            RedisChannelState node = open(a);
            node.join(new ChannelKey("app-1", "down"), "n1", "1.1", null).block(TIMEOUT);
            a.stop();
            StepVerifier.create(node.checkForLosses()).expectComplete().verify(TIMEOUT);
        }
    }

    private static ChannelKey onShard(int shard) {
        ShardRouter router = new ShardRouter(2);
        for (int i = 0;; i++) {
            ChannelKey key = new ChannelKey("app-1", "c-" + i);
            if (router.shardOf(key.appId(), key.channel()) == shard) {
                return key;
            }
        }
    }

    @Test
    void scriptsSurviveAScriptCacheFlush() {
        ChannelKey channel = new ChannelKey("app-1", "flushed");
        state.join(channel, "n1", "1.1", null).block(TIMEOUT);
        try (var client = io.lettuce.core.RedisClient.create(shard0.uri().toString());
                var conn = client.connect()) {
            conn.sync().scriptFlush();
        }
        try (var client = io.lettuce.core.RedisClient.create(shard1.uri().toString());
                var conn = client.connect()) {
            conn.sync().scriptFlush();
        }
        assertThat(state.join(channel, "n1", "1.2", null).block(TIMEOUT).subscriptionCount()).isEqualTo(2);
    }

    @Test
    void escapesGlobCharacters() {
        assertThat(RedisChannelState.escapeGlob("a*b?c[d]e\\f")).isEqualTo("a\\*b\\?c\\[d\\]e\\\\f");
    }
}
