package io.herald.core.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Sends a node's {@link UsageCounter} to the {@link UsageStream} once per {@code interval}: one
 * {@link UsageDelta} per app that counted anything, numbered with this node's sequence.
 *
 * <p><b>Node id</b>: random per process run, so a restarted node starts a new sequence rather
 * than reusing numbers metrics-service has seen.
 *
 * <p><b>Failures</b>: deltas that could not be appended (the state Redis down) are kept, with
 * their sequence numbers, and appended again at the next flush before the new ones; an append
 * whose answer was lost may so store a delta twice, which metrics-service applies once. At most
 * {@code maxPending} deltas are kept; beyond that the oldest are dropped (counted in
 * {@link #dropped()}, logged once per outage). One flush runs at a time; a tick that finds the
 * previous one still running leaves the counts for the next.
 *
 * <p>{@link #close} flushes what is counted and pending, waiting up to {@code closeTimeout}: a
 * node that stops gracefully loses nothing; one that dies loses what it counted since its last
 * successful flush.
 */
public final class UsageFlusher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageFlusher.class);

    private final UsageCounter counter;
    private final UsageStream stream;
    private final Clock clock;
    private final String node;
    private final int maxPending;
    private final Duration closeTimeout;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final AtomicBoolean failing = new AtomicBoolean();
    /** Guarded by itself; touched only by the flush that holds {@link #flushing}. */
    private final ArrayDeque<UsageDelta> pending = new ArrayDeque<>();
    private final Disposable ticks;

    /**
     * Starts flushing every {@code interval} on {@code scheduler}.
     *
     * @param node this node's id, or {@code null} for a random one
     */
    public UsageFlusher(UsageCounter counter, UsageStream stream, Clock clock, Duration interval, int maxPending,
            Duration closeTimeout, String node, Scheduler scheduler) {
        this.counter = Objects.requireNonNull(counter, "counter");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        if (maxPending <= 0) {
            throw new IllegalArgumentException("maxPending must be positive");
        }
        this.maxPending = maxPending;
        this.node = node != null ? node : UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        long millis = interval.toMillis();
        this.ticks = scheduler.schedulePeriodically(() -> flush().subscribe(), millis, millis, TimeUnit.MILLISECONDS);
    }

    /** A flusher on Reactor's parallel scheduler with a random node id. */
    public UsageFlusher(UsageCounter counter, UsageStream stream, Clock clock, Duration interval) {
        this(counter, stream, clock, interval, 100_000, Duration.ofSeconds(2), null, Schedulers.parallel());
    }

    /** This node's id in the deltas it sends. */
    public String node() {
        return node;
    }

    /** Deltas dropped because too many waited for the stream. */
    public long dropped() {
        return dropped.get();
    }

    /** Deltas waiting to be appended again. */
    public int pending() {
        synchronized (pending) {
            return pending.size();
        }
    }

    /**
     * Drains the counter into numbered deltas and appends them with those still pending.
     * Completes (never with an error) when done; does nothing while another flush runs.
     */
    public reactor.core.publisher.Mono<Void> flush() {
        if (!flushing.compareAndSet(false, true)) {
            return reactor.core.publisher.Mono.empty();
        }
        List<UsageDelta> batch;
        try {
            Instant at = clock.instant();
            Map<String, UsageCounts> drained = counter.drain();
            synchronized (pending) {
                drained.forEach((appId, counts) -> pending.addLast(
                        new UsageDelta(node, sequence.incrementAndGet(), appId, at, counts)));
                while (pending.size() > maxPending) {
                    pending.pollFirst();
                    if (dropped.incrementAndGet() == 1 || failing.compareAndSet(false, true)) {
                        log.warn("Usage deltas are being dropped: more than {} wait for the usage stream", maxPending);
                    }
                }
                batch = new ArrayList<>(pending);
            }
        }
        catch (RuntimeException ex) {
            flushing.set(false);
            throw ex;
        }
        if (batch.isEmpty()) {
            flushing.set(false);
            return reactor.core.publisher.Mono.empty();
        }
        return stream.append(batch)
                .doOnSuccess(ignored -> {
                    synchronized (pending) {
                        // Only the flush holding the flag adds or removes, so the first batch.size() are these.
                        for (int i = 0; i < batch.size(); i++) {
                            pending.pollFirst();
                        }
                    }
                    if (failing.compareAndSet(true, false)) {
                        log.info("Usage deltas reach the usage stream again");
                    }
                })
                .onErrorResume(ex -> {
                    if (failing.compareAndSet(false, true)) {
                        log.warn("Could not send usage deltas ({}); kept and sent again at the next flush", ex.toString());
                    }
                    return reactor.core.publisher.Mono.empty();
                })
                // Before the completion reaches the caller (doFinally would run after it): a flush
                // right after this one completed must not find the flag still set.
                .doOnTerminate(() -> flushing.set(false))
                .doOnCancel(() -> flushing.set(false));
    }

    /** Stops the ticks and flushes what is left, waiting up to the close timeout. */
    @Override
    public void close() {
        ticks.dispose();
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        // Wait for a running flush to finish, then flush the rest.
        while (flushing.get() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            flush().block(closeTimeout);
        }
        catch (RuntimeException ex) {
            log.warn("Could not flush usage at shutdown: {}", ex.toString());
        }
        int left = pending();
        if (left > 0) {
            log.warn("{} usage deltas could not be sent at shutdown and are lost", left);
        }
    }
}
