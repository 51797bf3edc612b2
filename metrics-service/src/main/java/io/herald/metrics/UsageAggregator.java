package io.herald.metrics;

import io.herald.core.usage.UsageStore;
import io.herald.core.usage.UsageStream;
import io.herald.core.usage.UsageStream.Entry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * metrics-service's consumer of the usage stream: reads deltas as one consumer of the group,
 * applies each to the {@link UsageStore}, and acknowledges them once applied.
 *
 * <p><b>Exactly once.</b> A delta is acknowledged only after the store applied it (or found it
 * applied before). If this process dies between the two, or while holding unacknowledged
 * entries, those entries stay pending in the group; every {@code claimInterval} a consumer
 * takes over entries idle for {@code claimIdle} (its own included, after a restart under a new
 * name), and applying one again changes nothing, since the store is idempotent by
 * {@code (node, sequence)}. So no delta is lost to a restart and none is counted twice.
 *
 * <p>A failure (the state Redis down) is logged once and retried after {@code retryDelay}; what
 * was read and not acknowledged is reclaimed later.
 */
public final class UsageAggregator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageAggregator.class);

    /** How many deltas are applied at once. */
    private static final int APPLY_CONCURRENCY = 16;

    private final UsageStream stream;
    private final UsageStore store;
    private final String consumer;
    private final int batchSize;
    private final Duration readWait;
    private final Duration claimIdle;
    private final Duration claimInterval;
    private final Duration retryDelay;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile long nextClaimNanos;
    private Disposable loop;

    public UsageAggregator(UsageStream stream, UsageStore store, String consumer, int batchSize, Duration readWait,
            Duration claimIdle, Duration claimInterval, Duration retryDelay) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.store = Objects.requireNonNull(store, "store");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        this.batchSize = batchSize;
        this.readWait = Objects.requireNonNull(readWait, "readWait");
        this.claimIdle = Objects.requireNonNull(claimIdle, "claimIdle");
        this.claimInterval = Objects.requireNonNull(claimInterval, "claimInterval");
        this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
        // nanoTime may be negative: the first round claims, whatever its value.
        this.nextClaimNanos = System.nanoTime();
    }

    /** This consumer's name in the group. */
    public String consumer() {
        return consumer;
    }

    /** Deltas applied by this aggregator. */
    public long applied() {
        return applied.get();
    }

    /** Deltas read again that the store had already applied. */
    public long duplicates() {
        return duplicates.get();
    }

    /** Starts reading; the loop runs until {@link #close}. */
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        loop = Flux.defer(this::step)
                .onErrorResume(ex -> {
                    if (failing.compareAndSet(false, true)) {
                        log.warn("Aggregating usage failed ({}); retrying every {}", ex.toString(), retryDelay);
                    }
                    return Mono.delay(retryDelay).then(Mono.empty());
                })
                .repeat()
                .subscribe();
    }

    /**
     * One round: takes over idle pending entries when due, then reads new ones, applies and
     * acknowledges them. Completes with the number of entries handled.
     */
    public Mono<Integer> step() {
        Mono<List<Entry>> claimed = Mono.empty();
        long now = System.nanoTime();
        if (now - nextClaimNanos >= 0) {
            nextClaimNanos = now + claimInterval.toNanos();
            claimed = stream.reclaim(consumer, claimIdle, batchSize).filter(list -> !list.isEmpty());
        }
        return claimed.switchIfEmpty(Mono.defer(() -> stream.read(consumer, batchSize, readWait)))
                .flatMap(this::applyAll)
                .doOnSuccess(n -> {
                    if (failing.compareAndSet(true, false)) {
                        log.info("Aggregating usage again");
                    }
                });
    }

    private Mono<Integer> applyAll(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Mono.just(0);
        }
        return Flux.fromIterable(entries)
                .flatMap(entry -> store.apply(entry.delta()).doOnNext(now -> {
                    if (now) {
                        applied.incrementAndGet();
                    }
                    else {
                        duplicates.incrementAndGet();
                    }
                }), APPLY_CONCURRENCY)
                .then(stream.ack(entries.stream().map(Entry::id).toList()))
                .thenReturn(entries.size());
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.dispose();
            loop = null;
        }
    }
}
