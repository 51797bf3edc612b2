package io.herald.core.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import io.herald.core.usage.UsageRetention;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import io.herald.core.usage.UsageStoreContractTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on a real {@code redis-server}, and the keys' expiry. */
class RedisUsageStoreTest extends UsageStoreContractTest {

    private static RedisServer redis;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> inspection;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String prefix;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        inspector = RedisClient.create(redis.uri().toString());
        inspection = inspector.connect();
    }

    @AfterAll
    static void stopRedis() {
        inspection.close();
        inspector.shutdown();
        redis.close();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    static RedisConnections connections(java.net.URI state, String prefix) {
        return new RedisConnections(new RedisProperties(List.of(), prefix, Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofMillis(200), state));
    }

    @Override
    protected UsageStore store() {
        prefix = RedisServer.uniquePrefix();
        RedisConnections connections = connections(redis.uri(), prefix);
        RedisUsageStore store = new RedisUsageStore(connections, UsageRetention.DEFAULTS);
        closeables.add(0, connections);
        closeables.add(0, store);
        return store;
    }

    @Test
    void bucketsExpireAtTheirEndPlusTheirRetentionTotalsNever() {
        Instant now = Instant.now();
        UsageStore store = store();
        store.apply(delta("n1", 1, "app-a", now, 1, 0, 3)).block(Duration.ofSeconds(30));
        long minute = UsageStep.MINUTE.bucketOf(now).getEpochSecond();
        long day = UsageStep.DAY.bucketOf(now).getEpochSecond();
        long minuteExpiry = inspection.sync().pexpiretime(prefix + "usage:m:app-a:" + minute);
        long dayExpiry = inspection.sync().pexpiretime(prefix + "usage:d:app-a:" + day);
        assertThat(minuteExpiry).isEqualTo(Instant.ofEpochSecond(minute).plus(Duration.ofMinutes(1))
                .plus(Duration.ofHours(48)).toEpochMilli());
        assertThat(dayExpiry).isEqualTo(Instant.ofEpochSecond(day).plus(Duration.ofDays(1))
                .plus(Duration.ofDays(730)).toEpochMilli());
        assertThat(inspection.sync().ttl(prefix + "usage:t:app-a")).isEqualTo(-1);
        assertThat(inspection.sync().ttl(prefix + "usage:n:n1:low")).isPositive();
    }
}
