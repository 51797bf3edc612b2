package io.herald.core.config;

import io.herald.core.redis.RedisConnections;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of every Redis target the process uses ({@code redis} in {@code /actuator/health}):
 * DOWN while any connection to a shard or to the state Redis is not open. Details per target
 * ({@code shard-0} …, {@code state}): its description, never a credential, and its status.
 */
public final class RedisHealthIndicator implements HealthIndicator {

    private final RedisConnections connections;

    public RedisHealthIndicator(RedisConnections connections) {
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    @Override
    public Health health() {
        Map<String, RedisConnections.TargetHealth> targets = connections.health();
        Health.Builder builder = targets.values().stream().allMatch(RedisConnections.TargetHealth::up)
                ? Health.up() : Health.down();
        targets.forEach((name, health) -> builder.withDetail(name,
                Map.of("target", health.target(), "status", health.up() ? "UP" : "DOWN")));
        return builder.build();
    }
}
