package io.herald.core.usage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * The aggregated usage: per app and for the whole cluster ({@link #CLUSTER}), minute, hour and
 * day series kept for their {@link UsageRetention}, and an all-time total. Written by
 * metrics-service from the {@link UsageStream}, read by the usage API.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li><b>Exactly once per delta.</b> {@link #apply} adds a delta to every series and total and
 * records its {@code (node, sequence)} in one atomic step (one Lua script in Redis); a delta
 * already applied changes nothing and answers {@code false}. So a delta read twice from the
 * stream, or appended twice by a node retrying, is counted once, and one that failed to apply
 * can be applied again.</li>
 * <li><b>Sums are exact; peaks combine.</b> Summed quantities add up. Peak connections of one
 * second are the sum over nodes of each node's peak in that second (an upper bound of the
 * cluster's concurrent connections then, exact while connection counts are steady), and a
 * bucket's peak is the highest such second in it.</li>
 * <li>Buckets older than their retention are gone; totals are kept forever.</li>
 * </ul>
 */
public interface UsageStore {

    /** The id of the cluster-wide series: every app's usage together. Not a valid app id. */
    String CLUSTER = "*";

    /** The most buckets one {@link #read} returns. */
    int MAX_BUCKETS = 10_000;

    /**
     * Adds the delta to its app's series and total and the cluster's, unless already applied.
     *
     * @return {@code true} when applied now, {@code false} when it had been applied before
     */
    Mono<Boolean> apply(UsageDelta delta);

    /**
     * The series of {@code appId} (or {@link #CLUSTER}) at {@code step}, buckets from the one
     * {@code from} falls in to the last one starting before {@code to}, each present (zeros for
     * no usage); and the all-time total.
     *
     * @throws IllegalArgumentException (in the Mono) for {@code to} not after {@code from}, or
     *         more than {@link #MAX_BUCKETS} buckets
     */
    Mono<UsageReport> read(String appId, Instant from, Instant to, UsageStep step);

    /**
     * The connections of {@code appId} (or {@link #CLUSTER}) in the second {@code second} falls
     * in, as the nodes reported them: the sum over nodes of each node's peak in that second, the
     * same figure peak connections are made of; 0 when no node reported open connections then.
     * Kept for the peak window ({@link UsageRetention#peakWindow()}). Nodes report every flush
     * period while the app has connections open, so the last complete second or two give the
     * connections open now across the cluster, a second or two behind.
     */
    Mono<Long> connectionsIn(String appId, Instant second);

    /**
     * One bucket of a series.
     *
     * @param start the bucket's start (UTC-aligned)
     * @param counts what was counted in it
     */
    record UsageBucket(Instant start, UsageCounts counts) {
    }

    /**
     * A series and the totals.
     *
     * @param appId the app, or {@link #CLUSTER}
     * @param step the buckets' length
     * @param buckets the buckets, oldest first, one per step
     * @param total all usage ever counted (not only in the range)
     */
    record UsageReport(String appId, UsageStep step, List<UsageBucket> buckets, UsageCounts total) {

        public UsageReport {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(step, "step");
            buckets = List.copyOf(buckets);
            Objects.requireNonNull(total, "total");
        }

        /** The buckets combined: sums, and the highest peak. */
        public UsageCounts rangeTotal() {
            UsageCounts sum = UsageCounts.ZERO;
            for (UsageBucket bucket : buckets) {
                sum = sum.plus(bucket.counts());
            }
            return sum;
        }
    }

    /** The bucket starts of a read, checked. */
    static List<Instant> bucketStarts(Instant from, Instant to, UsageStep step) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(step, "step");
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("to must be after from");
        }
        List<Instant> starts = new java.util.ArrayList<>();
        for (Instant start = step.bucketOf(from); start.isBefore(to); start = start.plus(step.length())) {
            if (starts.size() == MAX_BUCKETS) {
                throw new IllegalArgumentException("more than " + MAX_BUCKETS + " buckets of a " + step.name().toLowerCase()
                        + "; ask for a shorter range or a longer step");
            }
            starts.add(start);
        }
        return starts;
    }
}
