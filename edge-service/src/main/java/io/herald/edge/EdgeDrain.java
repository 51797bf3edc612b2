package io.herald.edge;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * This edge node leaving: once {@link #begin} ran, new WebSocket handshakes are refused (503
 * with {@code Retry-After}, see {@code PusherWebSocketRoute}) and the channel-state leaves of the
 * connections that close meanwhile wait for the handover ({@code herald.edge.drain-handover}).
 *
 * <p>Why the leaves wait: a client told to reconnect (4200) comes back on another node within a
 * moment and subscribes again. Were its presence leave recorded at once, the channel would hear
 * {@code member_removed} and then {@code member_added} for a user who never left. With the leave
 * deferred, the join on the other node finds the user present (no {@code member_added}) and the
 * leave that follows finds another connection of the user (no {@code member_removed}); a user who
 * did not come back within the handover is removed then, by this node, as usual. The local
 * fan-out lets go of the connection at once; only the cluster-wide record waits, so the channel
 * also stays occupied (no {@code channel_vacated}) while its subscribers move.
 *
 * <p>The shutdown waits ({@link #pendingLeaves}, bounded by the drain timeout plus the handover)
 * until every deferred leave ran, so that nothing of this node is left in the channel state for
 * the dead-node reaper.
 */
public final class EdgeDrain {

    private final Duration handover;
    private final Scheduler scheduler;
    private final Runnable refuseTraffic;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean draining;

    /**
     * @param handover how long the channel-state leaves of connections closed while draining wait
     * @param refuseTraffic run once when the drain begins (the readiness state turns to refusing)
     */
    public EdgeDrain(Duration handover, Scheduler scheduler, Runnable refuseTraffic) {
        this.handover = Objects.requireNonNull(handover, "handover");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.refuseTraffic = Objects.requireNonNull(refuseTraffic, "refuseTraffic");
    }

    /** A node that never drains (tests, tools): leaves at once, handshakes always accepted. */
    public static EdgeDrain none(Scheduler scheduler) {
        return new EdgeDrain(Duration.ZERO, scheduler, () -> {
        });
    }

    /** Refuses new handshakes from now on, and turns readiness to refusing. Idempotent. */
    public void begin() {
        if (!draining) {
            draining = true;
            refuseTraffic.run();
        }
    }

    /** New handshakes are refused. */
    public boolean draining() {
        return draining;
    }

    public Duration handover() {
        return handover;
    }

    /** Deferred channel-state leaves not yet run. */
    public int pendingLeaves() {
        return pending.get();
    }

    /**
     * The channel-state leave of a closed connection: after the handover while the node drains,
     * at once otherwise.
     */
    Mono<Void> leave(Supplier<Mono<Void>> leave) {
        if (!draining || handover.isZero()) {
            return leave.get();
        }
        return Mono.defer(() -> {
            pending.incrementAndGet();
            return Mono.delay(handover, scheduler)
                    .then(Mono.defer(leave))
                    .doFinally(signal -> pending.decrementAndGet());
        });
    }
}
