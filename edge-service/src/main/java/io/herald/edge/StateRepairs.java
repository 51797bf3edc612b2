package io.herald.edge;

import io.herald.core.metrics.HeraldMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Undos of the channel state that failed, retried until the state records them, so that this node
 * never leaves a subscription or presence member behind that it does not hold.
 *
 * <p>What needs one: a join whose outcome is unknown (it timed out, or the connection was lost
 * while it was in flight: Redis may have recorded it) is undone at once with a leave, which is
 * idempotent; so is every subscription that ends. When that leave fails too (the shard is still
 * slow or down), it is queued here and tried again every {@code herald.edge.state-repair-interval}
 * (1 s), for as long as it takes: the node knows what it does not hold, and Redis will answer again.
 *
 * <p>Each retry runs as a change of the connection's channel in its {@link SubscriptionChanges}
 * (closed connections' too), so it is ordered with the connection's later subscribes to that
 * channel: the undo decides at its turn whether the record is held again (a later subscribe
 * succeeded, reusing the same record) and then does nothing. Retries are counted against, but
 * never refused by, the node's {@link StateCommandLimit}; each round starts at most what fits
 * under it (at least one), so they never add a flood of their own to a struggling shard.
 *
 * <p>At most {@link #MAX_PENDING} undos wait; beyond that one is dropped and counted in the
 * incident log: its record stays until this node stops (then the others reap it). The bound is
 * far above what the per-node limit lets fail in one round.
 */
public final class StateRepairs implements AutoCloseable {

    /** The most undos waiting at once. */
    static final int MAX_PENDING = 100_000;

    private final Map<Key, Supplier<Mono<Void>>> pending = new ConcurrentHashMap<>();
    private final StateCommandLimit limit;
    private final IncidentLog incidents;
    private final Counter queued;
    private final AtomicLong finished = new AtomicLong();
    private final Disposable retrying;
    private final Duration interval;

    public StateRepairs(StateCommandLimit limit, IncidentLog incidents, MeterRegistry meters, Scheduler scheduler,
            Duration interval) {
        this.interval = Objects.requireNonNull(interval, "interval");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.incidents = Objects.requireNonNull(incidents, "incidents");
        this.queued = Counter.builder(HeraldMeters.STATE_REPAIRS_QUEUED.meterName())
                .description("Channel-state undos that failed and were queued to be retried").register(meters);
        Gauge.builder(HeraldMeters.STATE_REPAIRS_PENDING.meterName(), pending, Map::size)
                .description("Channel-state undos waiting to be retried").register(meters);
        long period = interval.toMillis();
        this.retrying = scheduler.schedulePeriodically(this::retry, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Queues an undo that failed, to be tried again in the connection's channel's turn.
     *
     * @param channel the lane of the connection's {@link SubscriptionChanges} the undo runs in
     *        (the channel's name, or an internal {@code #} name)
     * @param undo called at the undo's turn: decides whether anything is left to undo, and undoes
     *        it; fails when the state did not record it (then it is queued again)
     */
    void later(EdgeConnection connection, String channel, Supplier<Mono<Void>> undo) {
        Key key = new Key(connection, channel);
        if (pending.size() >= MAX_PENDING && !pending.containsKey(key)) {
            incidents.report("channel-state undos dropped (" + MAX_PENDING + " already wait)",
                    "socket " + connection.socketId() + " of app " + connection.appId());
            return;
        }
        // A later failure of the same record replaces the earlier: both are the same leave.
        pending.put(key, Objects.requireNonNull(undo, "undo"));
        queued.increment();
    }

    /**
     * Runs the connection's waiting undo of {@code channel} now, if there is one: called by a
     * subscribe in its turn, before it joins, so that the join starts from a clean record and
     * reports its transitions (occupied, member added) to the others, which the lost join never
     * did. Fails, and the undo waits again, when the state does not record it.
     */
    Mono<Void> runFirst(EdgeConnection connection, String channel) {
        return Mono.defer(() -> {
            Key key = new Key(connection, channel);
            Supplier<Mono<Void>> undo = pending.remove(key);
            if (undo == null) {
                return Mono.empty();
            }
            return Mono.defer(undo).onErrorResume(ex -> {
                if (pending.putIfAbsent(key, undo) == null) {
                    queued.increment();
                }
                return Mono.error(ex);
            }).doFinally(signal -> finished.incrementAndGet());
        });
    }

    /** Undos waiting now. */
    int pending() {
        return pending.size();
    }

    /** Retried undos that have run to their end, done, found unneeded or failed again (for tests and diagnostics). */
    long finished() {
        return finished.get();
    }

    /** One round: starts as many waiting undos as fit under the node's limit (at least one). */
    void retry() {
        int room = Math.max(1, limit.available());
        Iterator<Map.Entry<Key, Supplier<Mono<Void>>>> waiting = pending.entrySet().iterator();
        while (room > 0 && waiting.hasNext()) {
            Map.Entry<Key, Supplier<Mono<Void>>> entry = waiting.next();
            Key key = entry.getKey();
            Supplier<Mono<Void>> undo = entry.getValue();
            if (!pending.remove(key, undo)) {
                continue;
            }
            room--;
            key.connection().subscriptionChanges().submit(key.channel(), () -> Mono.defer(undo)
                    .onErrorResume(ex -> {
                        // Still not recorded: queued again (unless a newer undo of it is waiting already).
                        if (pending.putIfAbsent(key, undo) == null) {
                            queued.increment();
                        }
                        incidents.report("channel-state undos failed again, retried every "
                                + interval.toMillis() + " ms", ex.toString());
                        return Mono.empty();
                    })
                    .doFinally(signal -> finished.incrementAndGet()));
        }
    }

    @Override
    public void close() {
        retrying.dispose();
    }

    /** A connection (by identity) and the lane of its changes. */
    private record Key(EdgeConnection connection, String channel) {
    }
}
