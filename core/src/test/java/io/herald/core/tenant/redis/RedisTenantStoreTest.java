package io.herald.core.tenant.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.redis.RedisUnavailableException;
import io.herald.core.tenant.TenantStore;
import io.herald.core.tenant.TenantStoreContractTest;
import io.herald.core.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The Redis tenant store against a real {@code redis-server}, each test with its own key prefix. */
class RedisTenantStoreTest extends TenantStoreContractTest {

    static RedisServer redis;

    private final List<RedisConnections> connections = new ArrayList<>();
    private String prefix;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void closeConnections() {
        connections.forEach(RedisConnections::close);
    }

    private RedisTenantStore store(String prefix) {
        RedisConnections made = new RedisConnections(new RedisProperties(List.of(), prefix, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofMillis(200), redis.uri()));
        connections.add(made);
        return new RedisTenantStore(made);
    }

    @Override
    protected TenantStore newStore() {
        prefix = RedisServer.uniquePrefix();
        return store(prefix);
    }

    @Test
    void anotherProcessSeesEveryChangeAtOnce() {
        try (RedisTenantStore other = store(prefix)) {
            store.create("acme", null).block(TIMEOUT);
            store.addUser("acme", "alice", "h").block(TIMEOUT);
            assertThat(other.findByUsername("alice").block(TIMEOUT).id()).isEqualTo("acme");
            store.removeUser("acme", "alice").block(TIMEOUT);
            StepVerifier.create(other.findByUsername("alice")).expectComplete().verify(TIMEOUT);
        }
    }

    @Test
    void aStateRedisThatRestartsEmptyLosesTheTenantsAndSignsNobodyIn() {
        try (RedisServer own = RedisServer.start(); RedisConnectionsHolder holder = new RedisConnectionsHolder(own)) {
            RedisTenantStore store = holder.store;
            store.create("acme", null).block(TIMEOUT);
            store.addUser("acme", "alice", "h").block(TIMEOUT);
            own.stop();
            StepVerifier.create(store.findByUsername("alice")).expectError(RedisUnavailableException.class)
                    .verify(TIMEOUT);
            own.restart();
            // Fail closed: after the loss nobody is found (no sign-in, no apps), until created again.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> store.findById("acme").hasElement().block(TIMEOUT) == Boolean.FALSE);
            StepVerifier.create(store.findByUsername("alice")).expectComplete().verify(TIMEOUT);
        }
    }

    /** A store on a Redis of its own, closed with it. */
    private static final class RedisConnectionsHolder implements AutoCloseable {

        final RedisConnections connections;
        final RedisTenantStore store;

        RedisConnectionsHolder(RedisServer server) {
            connections = new RedisConnections(new RedisProperties(List.of(), "t:", Duration.ofSeconds(2),
                    Duration.ofSeconds(2), Duration.ofMillis(200), server.uri()));
            store = new RedisTenantStore(connections);
        }

        @Override
        public void close() {
            store.close();
            connections.close();
        }
    }
}
