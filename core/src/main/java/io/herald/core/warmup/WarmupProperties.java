package io.herald.standalone.warmup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code herald.warmup.*}: the start-up warm-up of the handshake and subscribe path
 * ({@link HandshakeWarmup}); {@code herald.warmup.enabled=false} turns it off.
 *
 * @param connections how many loopback connections the warm-up opens (each connects, subscribes,
 *        pings and closes)
 * @param concurrency how many of them are open at once
 * @param maxDuration the longest the warm-up may take; it ends then, however many connections it made
 */
@ConfigurationProperties(prefix = "herald.warmup")
public record WarmupProperties(Integer connections, Integer concurrency, Duration maxDuration) {

    public WarmupProperties {
        connections = connections == null ? 3000 : connections;
        concurrency = concurrency == null ? 32 : concurrency;
        maxDuration = maxDuration == null ? Duration.ofSeconds(20) : maxDuration;
        if (connections < 0 || concurrency < 1 || maxDuration.isNegative()) {
            throw new IllegalArgumentException("herald.warmup: connections >= 0, concurrency >= 1, max-duration >= 0");
        }
    }
}
