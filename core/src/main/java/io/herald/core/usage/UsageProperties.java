package io.herald.core.usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Usage counting on the nodes that see traffic ({@code herald.usage.*}).
 *
 * @param enabled whether this node counts usage per app and sends it to the usage stream
 * @param flushInterval how often the node sends what it counted (one delta per app); also the
 *        most a node that dies loses
 * @param maxPending how many deltas a node keeps while the usage stream is unreachable; beyond
 *        it the oldest are dropped
 * @param streamMaxLength the approximate bound on the usage stream's length in Redis (entries)
 */
@ConfigurationProperties("herald.usage")
public record UsageProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1s") Duration flushInterval,
        @DefaultValue("100000") int maxPending,
        @DefaultValue("1000000") long streamMaxLength) {

    public UsageProperties {
        List<String> problems = new ArrayList<>();
        if (flushInterval == null || flushInterval.isNegative() || flushInterval.isZero()) {
            problems.add("herald.usage.flush-interval must be positive");
        }
        if (maxPending <= 0) {
            problems.add("herald.usage.max-pending must be positive");
        }
        if (streamMaxLength <= 0) {
            problems.add("herald.usage.stream-max-length must be positive");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The defaults. */
    public static final UsageProperties DEFAULTS = new UsageProperties(true, Duration.ofSeconds(1), 100_000, 1_000_000);
}
