package io.herald.core.usage;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * A {@link UsageStream} in this process's memory, for one process (the standalone server):
 * a bounded queue, oldest dropped first beyond {@code capacity} (counted in {@link #dropped()}).
 * A read takes entries off the queue: in one process there is no other consumer to hand pending
 * entries to, so {@link #ack} and {@link #reclaim} have nothing to do.
 */
public final class InMemoryUsageStream implements UsageStream {

    /** Default bound: a minute of deltas of over 1,000 active apps. */
    public static final int DEFAULT_CAPACITY = 100_000;

    /** How often a waiting read looks again. */
    private static final Duration POLL = Duration.ofMillis(50);

    private final int capacity;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public InMemoryUsageStream(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    @Override
    public Mono<Void> append(List<UsageDelta> deltas) {
        Objects.requireNonNull(deltas, "deltas");
        return Mono.fromRunnable(() -> {
            synchronized (queue) {
                for (UsageDelta delta : deltas) {
                    if (queue.size() >= capacity) {
                        queue.pollFirst();
                        dropped.incrementAndGet();
                    }
                    queue.addLast(new Entry(Long.toString(ids.incrementAndGet()), delta));
                }
            }
        });
    }

    @Override
    public Mono<List<Entry>> read(String consumer, int max, Duration wait) {
        Objects.requireNonNull(wait, "wait");
        return Mono.defer(() -> {
            List<Entry> entries = poll(max);
            if (!entries.isEmpty() || wait.compareTo(POLL) < 0) {
                return Mono.just(entries);
            }
            return Mono.delay(POLL).then(read(consumer, max, wait.minus(POLL)));
        });
    }

    private List<Entry> poll(int max) {
        synchronized (queue) {
            List<Entry> entries = new ArrayList<>(Math.min(max, queue.size()));
            while (entries.size() < max && !queue.isEmpty()) {
                entries.add(queue.pollFirst());
            }
            return entries;
        }
    }

    @Override
    public Mono<List<Entry>> reclaim(String consumer, Duration minIdle, int max) {
        return Mono.just(List.of());
    }

    @Override
    public Mono<Void> ack(List<String> ids) {
        return Mono.empty();
    }

    /** Deltas dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Deltas waiting to be read. */
    public int size() {
        synchronized (queue) {
            return queue.size();
        }
    }
}
