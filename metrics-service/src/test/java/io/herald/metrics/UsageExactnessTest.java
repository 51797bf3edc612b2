package io.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.TestClock;
import io.herald.core.usage.UsageCounter;
import io.herald.core.usage.UsageDelta;
import io.herald.core.usage.UsageFlusher;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageRetention;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import io.herald.core.usage.UsageStream.Entry;
import io.herald.core.usage.redis.RedisUsageStore;
import io.herald.core.usage.redis.RedisUsageStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Counting is exact across faults, on a real {@code redis-server}: nodes flush through the usage
 * stream, metrics-service aggregators are stopped and started, and the totals are what the nodes
 * counted, never more, never less.
 */
class UsageExactnessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RedisServer redis;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final String prefix = RedisServer.uniquePrefix();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(0, c);
        return c;
    }

    private RedisConnections connections() {
        return closing(new RedisConnections(new RedisProperties(List.of(), prefix, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofMillis(200), redis.uri())));
    }

    private UsageAggregator aggregator(RedisUsageStream stream, UsageStore store, String name) {
        // Idle entries are taken over after 200 ms, looked for every 100 ms: a restart is seconds, not minutes.
        return closing(new UsageAggregator(stream, store, name, 100, Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(100), Duration.ofMillis(100)));
    }

    private static long delivered(UsageStore store, String app) {
        return store.read(app, Instant.now(), Instant.now().plusSeconds(1), UsageStep.MINUTE).block(WAIT).total()
                .get(UsageQuantity.MESSAGES_DELIVERED);
    }

    /** A node counting and flushing by hand (ticks an hour apart), so the test decides when it flushes. */
    private UsageFlusher node(UsageCounter counter, RedisUsageStream stream, String id) {
        return new UsageFlusher(counter, stream, new TestClock(Instant.now()), Duration.ofHours(1), 1000,
                Duration.ofSeconds(2), id, Schedulers.single());
    }

    @Test
    void aMetricsServiceThatDiesBeforeAcknowledgingLosesNothingAndCountsNothingTwice() {
        RedisUsageStream stream = closing(new RedisUsageStream(connections(), 10_000));
        UsageStore store = closing(new RedisUsageStore(connections(), UsageRetention.DEFAULTS));
        UsageCounter counter = new UsageCounter();
        UsageFlusher node = node(counter, stream, "node-a");
        long expected = 0;
        for (int second = 1; second <= 20; second++) {
            counter.record("app-1", UsageQuantity.MESSAGES_DELIVERED, second);
            expected += second;
            node.flush().block(WAIT);
        }

        // The first metrics-service read every delta and died: half of them it had applied, none acknowledged.
        List<Entry> read = stream.read("dead-metrics", 100, Duration.ofMillis(100)).block(WAIT);
        assertThat(read).hasSize(20);
        for (Entry entry : read.subList(0, 10)) {
            assertThat(store.apply(entry.delta()).block(WAIT)).isTrue();
        }

        // Its successor (a new name, as after a restart) takes the pending entries over.
        UsageAggregator successor = aggregator(stream, store, "metrics-2");
        successor.start();
        await().atMost(WAIT).until(() -> successor.applied() + successor.duplicates() >= 20);
        assertThat(delivered(store, "app-1")).isEqualTo(expected);
        assertThat(successor.applied()).isEqualTo(10);
        assertThat(successor.duplicates()).isEqualTo(10);

        // New deltas flow on, and nothing is counted again.
        counter.record("app-1", UsageQuantity.MESSAGES_DELIVERED, 1000);
        node.flush().block(WAIT);
        await().atMost(WAIT).until(() -> successor.applied() == 11);
        assertThat(delivered(store, "app-1")).isEqualTo(expected + 1000);
        assertThat(delivered(store, UsageStore.CLUSTER)).isEqualTo(expected + 1000);
    }

    @Test
    void aNodeThatDiesAfterFlushingIsCountedEntirelyAndAResentDeltaOnce() {
        RedisUsageStream stream = closing(new RedisUsageStream(connections(), 10_000));
        UsageStore store = closing(new RedisUsageStore(connections(), UsageRetention.DEFAULTS));
        UsageCounter counterA = new UsageCounter();
        UsageCounter counterB = new UsageCounter();
        UsageFlusher nodeA = node(counterA, stream, "node-a");
        UsageFlusher nodeB = node(counterB, stream, "node-b");
        counterA.record("app-1", UsageQuantity.MESSAGES_DELIVERED, 700);
        counterB.record("app-1", UsageQuantity.MESSAGES_DELIVERED, 55);
        nodeA.flush().block(WAIT);
        nodeB.flush().block(WAIT);
        // node-a dies now (never closed, never flushes again); its last delta is in the stream.
        // node-b's append was stored but its answer lost: it sends the same delta again.
        UsageDelta resent = new UsageDelta("node-b", 1, "app-1", Instant.now(),
                new io.herald.core.usage.UsageCounts(java.util.Map.of(UsageQuantity.MESSAGES_DELIVERED, 55L)));
        stream.append(List.of(resent)).block(WAIT);

        UsageAggregator metrics = aggregator(stream, store, "metrics-1");
        metrics.start();
        await().atMost(WAIT).until(() -> metrics.applied() + metrics.duplicates() >= 3);
        assertThat(delivered(store, "app-1")).isEqualTo(755);
        assertThat(metrics.duplicates()).isEqualTo(1);
        nodeB.close();
    }
}
