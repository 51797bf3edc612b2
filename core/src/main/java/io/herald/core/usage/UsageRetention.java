package io.herald.core.usage;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a {@link UsageStore} keeps each series, counted from the end of a bucket.
 *
 * @param minutes minute buckets (48 h by default)
 * @param hours hour buckets (90 days)
 * @param days day buckets (2 years, 730 days)
 * @param peakWindow how long the per-second record behind peak connections (each node's peak in
 *        that second) is kept after the last delta of that second was applied: deltas of one
 *        second applied further apart than this (a replay after a long outage) still add their
 *        sums exactly, but their peaks are no longer added together
 * @param nodes how long the record of which deltas a node sent were applied is kept after
 *        its last delta; a delta re-read later than this would be applied again, so it must
 *        exceed any time an entry may stay pending in the stream
 */
public record UsageRetention(Duration minutes, Duration hours, Duration days, Duration peakWindow, Duration nodes) {

    /** The defaults: 48 h of minutes, 90 days of hours, 2 years of days, 1 h for peaks, 7 days for nodes. */
    public static final UsageRetention DEFAULTS = new UsageRetention(Duration.ofHours(48), Duration.ofDays(90),
            Duration.ofDays(730), Duration.ofHours(1), Duration.ofDays(7));

    public UsageRetention {
        for (Duration d : new Duration[] { minutes, hours, days, peakWindow, nodes }) {
            Objects.requireNonNull(d, "retention");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("retentions must be positive");
            }
        }
    }

    /** The retention of {@code step}'s buckets. */
    public Duration of(UsageStep step) {
        return switch (step) {
            case MINUTE -> minutes;
            case HOUR -> hours;
            case DAY -> days;
        };
    }
}
