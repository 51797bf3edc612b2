package io.herald.core.redis;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which Redis servers Herald uses ({@code herald.redis.*}). With no shards, services use their
 * in-memory adapters, which is right only for a single process.
 *
 * @param shards Redis URIs ({@code redis://}, {@code rediss://}, {@code redis-sentinel://…#master})
 *        that carry channels; a channel lives on the shard the shard router picks, so every node
 *        of a cluster must list the same shards in the same order
 * @param keyPrefix prefix of every Redis key and pub/sub channel name Herald uses, so several
 *        clusters (or tests) can share Redis servers
 * @param commandTimeout how long a Redis command may take before it fails
 * @param connectTimeout how long connecting to a shard may take
 * @param reconnectMaxDelay the longest wait between reconnection attempts to a shard that is down
 * @param state the Redis URI that holds apps, webhook queues and other state that is not per
 *        channel (may equal a shard); none means in-memory state, right only for one process
 */
@ConfigurationProperties("herald.redis")
public record RedisProperties(
        List<URI> shards,
        @DefaultValue("herald:") String keyPrefix,
        @DefaultValue("2s") Duration commandTimeout,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("2s") Duration reconnectMaxDelay,
        URI state) {

    // Two constructors: Boot binds through this one only when told so.
    @ConstructorBinding
    public RedisProperties {
        shards = shards == null ? List.of() : List.copyOf(shards);
        // Each of these would fail every Redis command (every publish a 503) or the first connection.
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            checkScheme(problems, "herald.redis.shards[" + i + "]", shards.get(i));
        }
        if (state != null) {
            checkScheme(problems, "herald.redis.state", state);
        }
        positive(problems, "herald.redis.command-timeout", commandTimeout);
        positive(problems, "herald.redis.connect-timeout", connectTimeout);
        if (reconnectMaxDelay == null || reconnectMaxDelay.compareTo(FIRST_RECONNECT_DELAY) <= 0) {
            problems.add("herald.redis.reconnect-max-delay must be more than " + FIRST_RECONNECT_DELAY.toMillis()
                    + "ms (the first reconnection delay)");
        }
        if (!problems.isEmpty()) {
            // Property names only: a Redis URI may carry a password.
            throw new IllegalArgumentException("Invalid Redis configuration: " + String.join("; ", problems));
        }
    }

    /** Shards only, no state Redis. */
    public RedisProperties(List<URI> shards, String keyPrefix, Duration commandTimeout, Duration connectTimeout,
            Duration reconnectMaxDelay) {
        this(shards, keyPrefix, commandTimeout, connectTimeout, reconnectMaxDelay, null);
    }

    /** The wait before the first reconnection attempt; {@code reconnect-max-delay} caps the growth from it. */
    public static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(50);

    private static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel",
            "redis-socket");

    private static void checkScheme(List<String> problems, String name, URI uri) {
        if (uri == null || uri.getScheme() == null || !SCHEMES.contains(uri.getScheme())) {
            problems.add(name + " must be a redis://, rediss:// or redis-sentinel:// URI");
        }
    }

    private static void positive(List<String> problems, String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            problems.add(name + " must be positive");
        }
    }

    public boolean enabled() {
        return !shards.isEmpty();
    }
}
