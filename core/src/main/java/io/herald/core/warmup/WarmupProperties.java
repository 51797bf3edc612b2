package io.herald.core.warmup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code herald.warmup.*}: the start-up warm-up ({@link StartupWarmup}); {@code herald.warmup.enabled=false}
 * turns it off.
 *
 * @param connections how many loopback connections the edge's warm-up opens (each connects,
 *        subscribes, pings and closes)
 * @param concurrency how many of them are open at once
 * @param maxDuration the longest the edge's warm-up may take; it ends then, however many connections it made
 * @param publishes how many signed loopback publishes the publish role's warm-up sends at most
 * @param publishConcurrency how many of them are in flight at once
 * @param publishMaxDuration the longest the publish warm-up may take
 * @param quietCompilation a warm-up ends early once the JIT compilers spent less than this in the
 *        last second (summed over the compiler threads): the path it runs is compiled by then.
 *        {@link Duration#ZERO} never ends early
 */
@ConfigurationProperties(prefix = "herald.warmup")
public record WarmupProperties(Integer connections, Integer concurrency, Duration maxDuration, Integer publishes,
        Integer publishConcurrency, Duration publishMaxDuration, Duration quietCompilation) {

    public WarmupProperties {
        connections = connections == null ? 3000 : connections;
        concurrency = concurrency == null ? 32 : concurrency;
        maxDuration = maxDuration == null ? Duration.ofSeconds(20) : maxDuration;
        publishes = publishes == null ? 100_000 : publishes;
        publishConcurrency = publishConcurrency == null ? 8 : publishConcurrency;
        publishMaxDuration = publishMaxDuration == null ? Duration.ofSeconds(30) : publishMaxDuration;
        quietCompilation = quietCompilation == null ? Duration.ofMillis(20) : quietCompilation;
        if (connections < 0 || concurrency < 1 || maxDuration.isNegative() || publishes < 0 || publishConcurrency < 1
                || publishMaxDuration.isNegative() || quietCompilation.isNegative()) {
            throw new IllegalArgumentException("herald.warmup: connections and publishes >= 0, concurrency and "
                    + "publish-concurrency >= 1, max-duration, publish-max-duration and quiet-compilation >= 0");
        }
    }

    /** The defaults, for tests and for callers without a binder. */
    public static WarmupProperties defaults() {
        return new WarmupProperties(null, null, null, null, null, null, null);
    }
}
