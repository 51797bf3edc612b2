package io.herald.edge;

import io.herald.core.error.PusherError;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * This edge node leaving: once {@link #begin} ran, readiness refuses traffic, each new connection
 * is bounced (established, then told at once to reconnect: {@link PusherSessions#open}), and the
 * channel-state leaves and offline records ({@link Watchlists}) of the connections that close
 * meanwhile wait for the handover ({@code herald.edge.drain-handover}).
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

    /** For components built without the node's drain (tests, tools): no handover, leaves always at once. */
    public static EdgeDrain none(Scheduler scheduler) {
        return new EdgeDrain(Duration.ZERO, scheduler, () -> {
        });
    }

    /** Bounces new connections from now on, and turns readiness to refusing. Idempotent. */
    public void begin() {
        if (!draining) {
            draining = true;
            refuseTraffic.run();
        }
    }

    /** The drain began: new connections are bounced. */
    public boolean draining() {
        return draining;
    }

    public Duration handover() {
        return handover;
    }

    /**
     * How long a connection opened while draining is served before it is told to reconnect.
     * pusher-java-client handles {@code connection_established} on its event thread but a close on
     * its socket's thread: a close right behind the established can be handled first, and the
     * client then believes itself connected to a closed socket (its reconnect timer finds it
     * CONNECTED and does nothing) until its activity timeout. A second is ample for the established
     * to be handled, and still cheaper for that client than a refused handshake: it resets its
     * backoff only on {@code connection_established}, so a refusal costs it 4 s, then 9 s, where a
     * 4200 after an established costs its 1 s wait.
     */
    static final Duration BOUNCE_DELAY = Duration.ofSeconds(1);

    /** Tells a connection opened while draining to reconnect elsewhere, {@link #BOUNCE_DELAY} after its established. */
    void bounce(EdgeConnection connection) {
        scheduler.schedule(() -> connection.closeAfterFlush(PusherError.RECONNECT, "Server shutting down, reconnect"),
                BOUNCE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deferred channel-state leaves not yet run. */
    public int pendingLeaves() {
        return pending.get();
    }

    /**
     * The channel-state leave of a closed connection: after the handover while the node drains or
     * when its client closed with 4200 itself ({@link EdgeConnection#isMoving}: a gateway that
     * drains), at once otherwise.
     */
    Mono<Void> leave(EdgeConnection connection, Supplier<Mono<Void>> leave) {
        if (!draining && !connection.isMoving() || handover.isZero()) {
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
