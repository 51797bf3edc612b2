package io.herald.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Shared state of one publishing run (one rate): the sequence numbers acknowledged by the server,
 * publish errors, each subscriber's {@link DeliveryTracker} and the latency recorders.
 * Subscribers ignore deliveries whose payload names another run.
 */
final class RunState {

    /** Latencies are recorded in microseconds, up to one hour. */
    static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int MAX_ERROR_KINDS = 20;

    final int id;
    final int rate;
    final int warmup;
    final int total;
    final Recorder latency = new Recorder(HIGHEST_MICROS, 3);
    final Recorder publishLatency = new Recorder(HIGHEST_MICROS, 3);
    /** The latency of the probe subscribers alone ({@code --probe-subscribers}); also in {@link #latency}. */
    final Recorder probeLatency = new Recorder(HIGHEST_MICROS, 3);
    /** Subscribers {@code 0 .. probes - 1} are the probes. */
    private final int probes;
    /** Publish errors in the measured phase. */
    final LongAdder publishErrors = new LongAdder();
    /** Publish errors in the warm-up phase. */
    final LongAdder warmupPublishErrors = new LongAdder();
    final LongAdder publishAttempts = new LongAdder();
    final LongAdder measuredDeliveries = new LongAdder();
    final AtomicLong lastDeliveryNanos = new AtomicLong();
    final AtomicLong maxPublishLagNanos = new AtomicLong();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final BitSet acknowledged;
    private final List<DeliveryTracker> trackers;
    volatile long measureStartNanos;
    /** Samples the server's CPU at the start of the measured phase; {@code null} without {@code --server-pid}. */
    private final ServerProbe probe;
    private final int channels;
    private volatile double cpuAtMeasureStart = Double.NaN;

    RunState(int id, int rate, int warmup, int total, int subscribers) {
        this(id, rate, warmup, total, subscribers, 1, null, 0);
    }

    RunState(int id, int rate, int warmup, int total, int subscribers, int channels, ServerProbe probe,
            int probeSubscribers) {
        this.id = id;
        this.probes = probeSubscribers;
        this.channels = channels;
        this.probe = probe;
        this.rate = rate;
        this.warmup = warmup;
        this.total = total;
        this.acknowledged = new BitSet(total);
        List<DeliveryTracker> list = new ArrayList<>(subscribers);
        for (int i = 0; i < subscribers; i++) {
            list.add(new DeliveryTracker(warmup, total));
        }
        this.trackers = Collections.unmodifiableList(list);
    }

    DeliveryTracker tracker(int subscriber) {
        return trackers.get(subscriber);
    }

    List<DeliveryTracker> trackers() {
        return trackers;
    }

    /** Called on an event loop when a subscriber receives a payload of this run. */
    void onDelivery(int subscriber, long seq, long sentNanos, long nowNanos) {
        DeliveryTracker.Outcome outcome = trackers.get(subscriber).onDelivery(seq);
        if (outcome == DeliveryTracker.Outcome.MEASURED) {
            measuredDeliveries.increment();
            long micros = Math.max(0, (nowNanos - sentNanos) / 1000);
            latency.recordValue(Math.min(micros, HIGHEST_MICROS));
            if (subscriber < probes) {
                probeLatency.recordValue(Math.min(micros, HIGHEST_MICROS));
            }
            lastDeliveryNanos.accumulateAndGet(nowNanos, Math::max);
        }
    }

    synchronized void acknowledge(long seq) {
        acknowledged.set((int) seq);
    }

    synchronized BitSet acknowledgedCopy() {
        return (BitSet) acknowledged.clone();
    }

    synchronized long acknowledgedMeasured() {
        return acknowledged.get(warmup, total).cardinality();
    }

    void publishFailed(long seq, String kind) {
        (seq >= warmup ? publishErrors : warmupPublishErrors).increment();
        String key = errorKinds.size() >= MAX_ERROR_KINDS && !errorKinds.containsKey(kind) ? "other" : kind;
        errorKinds.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    Map<String, Long> errorKinds() {
        Map<String, Long> out = new LinkedHashMap<>();
        errorKinds.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .forEach(e -> out.put(e.getKey(), e.getValue().sum()));
        return out;
    }

    /** Called by the publisher as the first measured message falls due: the start of the CPU window. */
    void markMeasureStart() {
        if (probe != null) {
            cpuAtMeasureStart = probe.cpuSeconds();
        }
    }

    /** Server CPU seconds since {@link #markMeasureStart()}, or {@code null} without a probe. */
    Double serverCpuSinceMeasureStart() {
        return probe == null || Double.isNaN(cpuAtMeasureStart) ? null : probe.cpuSeconds() - cpuAtMeasureStart;
    }

    /** True once every subscriber has every acknowledged measured message of its channel. */
    boolean drained() {
        long[] expected = new long[channels];
        synchronized (this) {
            for (int s = acknowledged.nextSetBit(warmup); s >= 0 && s < total; s = acknowledged.nextSetBit(s + 1)) {
                expected[s % channels]++;
            }
        }
        for (int i = 0; i < trackers.size(); i++) {
            if (trackers.get(i).measuredDistinct() < expected[i % channels]) {
                return false;
            }
        }
        return true;
    }

    int channels() {
        return channels;
    }
}
