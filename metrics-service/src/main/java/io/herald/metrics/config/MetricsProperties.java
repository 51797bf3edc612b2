package io.herald.metrics.config;

import io.herald.core.usage.UsageRetention;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The metrics role ({@code herald.metrics.*}).
 *
 * @param minuteRetention how long minute buckets are kept
 * @param hourRetention how long hour buckets are kept
 * @param dayRetention how long day buckets are kept
 * @param peakWindow how long the per-second record behind peak connections is kept
 * @param nodeRetention how long the record of a node's applied deltas is kept after its last one;
 *        must exceed the longest an entry may stay pending in the usage stream
 * @param consumerName this process's consumer name in the usage stream's group; empty for
 *        hostname and a random suffix
 * @param claimIdle how long a delta read but not acknowledged waits before another consumer
 *        (or this one after a restart) takes it over
 * @param claimInterval how often pending deltas are looked for
 * @param batchSize how many deltas one read takes
 */
@ConfigurationProperties("herald.metrics")
public record MetricsProperties(
        @DefaultValue("48h") Duration minuteRetention,
        @DefaultValue("90d") Duration hourRetention,
        @DefaultValue("730d") Duration dayRetention,
        @DefaultValue("1h") Duration peakWindow,
        @DefaultValue("7d") Duration nodeRetention,
        @DefaultValue("") String consumerName,
        @DefaultValue("30s") Duration claimIdle,
        @DefaultValue("5s") Duration claimInterval,
        @DefaultValue("500") int batchSize) {

    public MetricsProperties {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("herald.metrics.batch-size must be positive");
        }
        if (claimIdle.isNegative() || claimInterval.isNegative() || claimInterval.isZero()) {
            throw new IllegalArgumentException("herald.metrics.claim-idle must not be negative, claim-interval positive");
        }
    }

    /** The retention of the series. */
    public UsageRetention retention() {
        return new UsageRetention(minuteRetention, hourRetention, dayRetention, peakWindow, nodeRetention);
    }
}
