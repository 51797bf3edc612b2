package io.herald.core.usage;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import reactor.core.publisher.Mono;

/**
 * A {@link UsageStore} in this process's memory, for one process (the standalone server): the
 * same series, retention and idempotence as the Redis store, lost when the process ends.
 * Every operation holds one lock; it is applied once per app per node per second.
 */
public final class InMemoryUsageStore implements UsageStore {

    private final Clock clock;
    private final UsageRetention retention;
    /** (step key or "s" or "t") + app + bucket start → counts. */
    private final Map<String, Map<Instant, Map<UsageQuantity, Long>>> series = new HashMap<>();
    /** Per second and app: each node's peak. */
    private final Map<String, Map<Instant, SecondPeaks>> secondPeaks = new HashMap<>();
    private final Map<String, Applied> applied = new HashMap<>();
    /** When {@link #expire} last ran: it walks every bucket, so at most once per {@link #EXPIRY_PERIOD}. */
    private Instant lastExpiry = Instant.MIN;

    /** How often expired buckets are dropped; a bucket may outlive its retention by this much. */
    private static final java.time.Duration EXPIRY_PERIOD = java.time.Duration.ofSeconds(10);

    public InMemoryUsageStore(Clock clock, UsageRetention retention) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retention = Objects.requireNonNull(retention, "retention");
    }

    @Override
    public Mono<Boolean> apply(UsageDelta delta) {
        Objects.requireNonNull(delta, "delta");
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                expire();
                Applied node = applied.computeIfAbsent(delta.node(), n -> new Applied());
                if (!node.add(delta.sequence())) {
                    return false;
                }
                node.lastSeen = clock.instant();
                add(delta.appId(), delta.node(), delta);
                add(CLUSTER, delta.node() + ":" + delta.appId(), delta);
                return true;
            }
        });
    }

    private void add(String id, String peakField, UsageDelta delta) {
        UsageCounts counts = delta.counts();
        long sumOfPeaks = 0;
        long peak = counts.get(UsageQuantity.PEAK_CONNECTIONS);
        if (peak > 0) {
            SecondPeaks second = secondPeaks.computeIfAbsent(id, k -> new HashMap<>())
                    .computeIfAbsent(delta.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), k -> new SecondPeaks());
            second.nodes.merge(peakField, peak, Math::max);
            second.lastApplied = clock.instant();
            sumOfPeaks = second.nodes.values().stream().mapToLong(Long::longValue).sum();
        }
        List<String> keys = new ArrayList<>();
        for (UsageStep step : UsageStep.values()) {
            keys.add(step.key());
        }
        keys.add("t");
        for (String key : keys) {
            UsageStep step = key.equals("t") ? null : UsageStep.valueOf(stepName(key));
            Instant bucket = step == null ? Instant.EPOCH : step.bucketOf(delta.at());
            Map<UsageQuantity, Long> values = series.computeIfAbsent(key + ":" + id, k -> new HashMap<>())
                    .computeIfAbsent(bucket, k -> new EnumMap<>(UsageQuantity.class));
            for (Map.Entry<UsageQuantity, Long> entry : counts.values().entrySet()) {
                if (!entry.getKey().isPeak()) {
                    values.merge(entry.getKey(), entry.getValue(), Long::sum);
                }
            }
            if (sumOfPeaks > 0) {
                values.merge(UsageQuantity.PEAK_CONNECTIONS, sumOfPeaks, Math::max);
            }
        }
    }

    private static String stepName(String key) {
        for (UsageStep step : UsageStep.values()) {
            if (step.key().equals(key)) {
                return step.name();
            }
        }
        throw new IllegalArgumentException(key);
    }

    @Override
    public Mono<UsageReport> read(String appId, Instant from, Instant to, UsageStep step) {
        Objects.requireNonNull(appId, "appId");
        return Mono.fromCallable(() -> {
            List<Instant> starts = UsageStore.bucketStarts(from, to, step);
            synchronized (this) {
                expire();
                Map<Instant, Map<UsageQuantity, Long>> buckets = series.getOrDefault(step.key() + ":" + appId, Map.of());
                List<UsageBucket> result = new ArrayList<>(starts.size());
                for (Instant start : starts) {
                    result.add(new UsageBucket(start, new UsageCounts(buckets.getOrDefault(start, Map.of()))));
                }
                Map<UsageQuantity, Long> total = series.getOrDefault("t:" + appId, Map.of())
                        .getOrDefault(Instant.EPOCH, Map.of());
                return new UsageReport(appId, step, result, new UsageCounts(total));
            }
        });
    }

    @Override
    public Mono<Long> connectionsIn(String appId, Instant second) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(second, "second");
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                SecondPeaks peaks = secondPeaks.getOrDefault(appId, Map.of())
                        .get(second.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
                return peaks == null ? 0L : peaks.nodes.values().stream().mapToLong(Long::longValue).sum();
            }
        });
    }

    /** Drops buckets past their retention and records of nodes not heard of for the node retention. */
    private void expire() {
        Instant now = clock.instant();
        if (now.isBefore(lastExpiry.plus(EXPIRY_PERIOD))) {
            return;
        }
        lastExpiry = now;
        series.forEach((key, buckets) -> {
            String stepKey = key.substring(0, key.indexOf(':'));
            if (stepKey.equals("t")) {
                return;
            }
            UsageStep step = UsageStep.valueOf(stepName(stepKey));
            Instant oldest = now.minus(retention.of(step)).minus(step.length());
            buckets.keySet().removeIf(start -> start.isBefore(oldest));
        });
        Instant oldestSecond = now.minus(retention.peakWindow());
        secondPeaks.values().forEach(seconds -> seconds.values().removeIf(peaks -> peaks.lastApplied.isBefore(oldestSecond)));
        Instant oldestNode = now.minus(retention.nodes());
        applied.values().removeIf(node -> node.lastSeen != null && node.lastSeen.isBefore(oldestNode));
    }

    /** Each node's peak in one second, and when the last of them was applied. */
    private static final class SecondPeaks {

        final Map<String, Long> nodes = new HashMap<>();
        Instant lastApplied;
    }

    /** The sequence numbers of one node applied: all up to {@code low}, and those above it in {@code above}. */
    private static final class Applied {

        long low;
        final TreeSet<Long> above = new TreeSet<>();
        Instant lastSeen;

        boolean add(long sequence) {
            if (sequence <= low || !above.add(sequence)) {
                return false;
            }
            while (above.remove(low + 1)) {
                low++;
            }
            return true;
        }
    }
}
