package io.herald.core.usage;

import java.time.Instant;
import java.util.Objects;

/**
 * What one node counted for one app in one flush period (normally a second).
 *
 * @param node the node's id, unique per process run ({@link UsageFlusher})
 * @param sequence the node's sequence number of this delta: 1, 2, 3 … without gaps, one per
 *        delta (so across apps); {@code (node, sequence)} identifies the delta, which is what
 *        makes applying it idempotent
 * @param appId the app
 * @param at when the period ended (the flush); the delta is counted in the minute, hour and day
 *        of this instant
 * @param counts the sums counted in the period, and for {@link UsageQuantity#PEAK_CONNECTIONS}
 *        the node's highest number of the app's open connections in it
 */
public record UsageDelta(String node, long sequence, String appId, Instant at, UsageCounts counts) {

    public UsageDelta {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(counts, "counts");
        if (node.isEmpty() || node.indexOf(':') >= 0) {
            throw new IllegalArgumentException("node must be non-empty and without ':': " + node);
        }
        if (sequence <= 0) {
            throw new IllegalArgumentException("sequence must be positive: " + sequence);
        }
    }
}
