package io.herald.core.usage;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link UsageSink} of a node: counters in memory, read and reset by {@link #drain} once per
 * flush period.
 *
 * <p>One {@link LongAdder} per app and summed quantity (adders spread concurrent increments over
 * cells, so event loops counting the same app do not contend on one word), in a map keyed by app
 * id. {@link #drain} takes each adder's value with {@link LongAdder#sumThenReset}, whose per-cell
 * get-and-set loses no concurrent increment: one made during a drain is in this delta or the
 * next. Open connections are one {@link AtomicLong} per app, and the peak since the last drain
 * another, raised on every open (connections open far less often than messages are delivered).
 *
 * <p>An app's counters stay once created (removing them could drop an increment racing with the
 * removal); they are a few hundred bytes per app that had traffic since the process started.
 */
public final class UsageCounter implements UsageSink {

    private static final UsageQuantity[] SUMMED = java.util.Arrays.stream(UsageQuantity.values())
            .filter(q -> !q.isPeak()).toArray(UsageQuantity[]::new);

    private final Map<String, AppCounters> apps = new ConcurrentHashMap<>();

    @Override
    public void record(String appId, UsageQuantity quantity, long count) {
        if (quantity.isPeak()) {
            throw new IllegalArgumentException("Peak connections follow connectionOpened/connectionClosed");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (count > 0) {
            counters(appId).sums[quantity.ordinal()].add(count);
        }
    }

    @Override
    public void connectionOpened(String appId) {
        AppCounters counters = counters(appId);
        counters.sums[UsageQuantity.CONNECTIONS_OPENED.ordinal()].increment();
        long open = counters.open.incrementAndGet();
        counters.peak.accumulateAndGet(open, Math::max);
    }

    @Override
    public void connectionClosed(String appId) {
        AppCounters counters = apps.get(appId);
        if (counters != null) {
            counters.open.decrementAndGet();
        }
    }

    /**
     * What was counted since the last drain, per app, and resets it. An app appears when it
     * counted anything or has connections open (its peak is then its open connections); the
     * peak is reset to the connections open now. Call from one thread at a time.
     */
    public Map<String, UsageCounts> drain() {
        Map<String, UsageCounts> drained = new LinkedHashMap<>();
        apps.forEach((appId, counters) -> {
            EnumMap<UsageQuantity, Long> values = new EnumMap<>(UsageQuantity.class);
            for (UsageQuantity quantity : SUMMED) {
                long value = counters.sums[quantity.ordinal()].sumThenReset();
                if (value != 0) {
                    values.put(quantity, value);
                }
            }
            long open = counters.open.get();
            // The peak of the period just ended; the next one starts from what is open now.
            long peak = Math.max(counters.peak.getAndSet(open), open);
            if (peak > 0) {
                values.put(UsageQuantity.PEAK_CONNECTIONS, peak);
            }
            if (!values.isEmpty()) {
                drained.put(appId, new UsageCounts(values));
            }
        });
        return drained;
    }

    /** The app's connections open now, as counted here. */
    public long openConnections(String appId) {
        AppCounters counters = apps.get(appId);
        return counters == null ? 0 : counters.open.get();
    }

    private AppCounters counters(String appId) {
        Objects.requireNonNull(appId, "appId");
        AppCounters counters = apps.get(appId);
        return counters != null ? counters : apps.computeIfAbsent(appId, id -> new AppCounters());
    }

    private static final class AppCounters {

        final LongAdder[] sums = new LongAdder[UsageQuantity.values().length];
        final AtomicLong open = new AtomicLong();
        final AtomicLong peak = new AtomicLong();

        AppCounters() {
            for (int i = 0; i < sums.length; i++) {
                sums[i] = new LongAdder();
            }
        }
    }
}
