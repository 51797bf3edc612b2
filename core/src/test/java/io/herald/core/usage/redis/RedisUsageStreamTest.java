package io.herald.core.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.redis.RedisConnections;
import io.herald.core.testing.RedisServer;
import io.herald.core.usage.UsageCounts;
import io.herald.core.usage.UsageDelta;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageStream.Entry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The usage stream on a real {@code redis-server}: read once by the group, pending until acknowledged, reclaimable. */
class RedisUsageStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static UsageDelta delta(long seq, long delivered) {
        return new UsageDelta("n1", seq, "app-a", Instant.ofEpochMilli(1_700_000_000_123L),
                new UsageCounts(Map.of(UsageQuantity.MESSAGES_DELIVERED, delivered, UsageQuantity.PEAK_CONNECTIONS, 4L)));
    }

    @Test
    void deltasAreReadOnceAndStayPendingForAnotherConsumerUntilAcknowledged() {
        try (RedisConnections connections = RedisUsageStoreTest.connections(redis.uri(), RedisServer.uniquePrefix());
                RedisUsageStream stream = new RedisUsageStream(connections, 1000)) {
            stream.append(List.of(delta(1, 10), delta(2, 20))).block(WAIT);

            List<Entry> read = stream.read("c1", 10, Duration.ofMillis(100)).block(WAIT);
            assertThat(read).extracting(Entry::delta).containsExactlyInAnyOrder(delta(1, 10), delta(2, 20));
            assertThat(stream.read("c2", 10, Duration.ofMillis(100)).block(WAIT)).isEmpty();

            // c1 died without acknowledging: c2 takes its entries over.
            List<Entry> claimed = stream.reclaim("c2", Duration.ZERO, 10).block(WAIT);
            assertThat(claimed).extracting(Entry::delta).containsExactlyInAnyOrder(delta(1, 10), delta(2, 20));
            stream.ack(claimed.stream().map(Entry::id).toList()).block(WAIT);
            assertThat(stream.reclaim("c3", Duration.ZERO, 10).block(WAIT)).isEmpty();
        }
    }
}
