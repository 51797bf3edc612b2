package io.herald.metrics.security.redis;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import io.herald.metrics.security.LoginThrottle;
import io.herald.metrics.security.SignInSessions;
import io.herald.metrics.security.SignInStoresContractTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The Redis sessions and throttle against the contract on a real {@code redis-server} (its TTLs are real time). */
class RedisSignInStoresTest extends SignInStoresContractTest {

    static RedisServer redis;
    RedisConnections connections;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private RedisConnections connections() {
        if (connections == null) {
            connections = new RedisConnections(new RedisProperties(List.of(), RedisServer.uniquePrefix(),
                    Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(200), redis.uri()));
        }
        return connections;
    }

    @AfterEach
    void closeConnections() {
        connections.close();
    }

    @Override
    protected SignInSessions newSessions() {
        return new RedisSignInSessions(connections(), IDLE);
    }

    @Override
    protected LoginThrottle newThrottle() {
        return new RedisLoginThrottle(connections(), 2, 3, IDLE);
    }

    @Override
    protected void pass(Duration time) {
        try {
            // Redis expires keys by its own clock: real time must pass (a few seconds per test).
            Thread.sleep(time.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
