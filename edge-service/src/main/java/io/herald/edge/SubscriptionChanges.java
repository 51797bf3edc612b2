package io.herald.edge;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One connection's subscription changes, run one at a time per channel: a change to a channel
 * (subscribing: authorize, record in the channel state, join the local fan-out, confirm; or
 * leaving: leave the fan-out, record the leave) starts only once the previous change to that
 * channel has finished, whether it succeeded or failed. Changes to different channels run
 * concurrently.
 *
 * <p>Why: the channel state and the local fan-out record a subscription by channel and socket,
 * not by attempt. Without this, the undo of an abandoned subscribe still in flight (the client
 * unsubscribed and subscribed again meanwhile) would remove the records of the subscribe that
 * followed it, leaving a connection told {@code subscription_succeeded} that receives nothing.
 *
 * <p>A change is a {@code Supplier} called when its turn comes, so it sees the connection as it
 * is then (a subscribe whose reservation was withdrawn while it waited does nothing). A change
 * should handle its own errors; one that fails anyway is logged and the next one runs. At most
 * {@link #MAX_WAITING} changes wait per channel for {@link #trySubmit}; {@link #submit} always
 * queues (leaves must never be dropped, and each follows a subscribe that was admitted).
 *
 * <p>Thread-safe; the lane of a channel is created on its first change and removed when it is
 * idle, and the map of lanes with the last one, so an idle connection holds nothing here.
 */
final class SubscriptionChanges {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionChanges.class);

    /**
     * Changes that may wait behind a running one on one channel. A client toggling a channel
     * faster than the channel state answers gains nothing from more: each waiting subscribe is
     * a round trip to come.
     */
    static final int MAX_WAITING = 8;

    /**
     * The lanes by channel, guarded by {@code this}; {@code null} while no change runs or waits.
     * Created at a change and dropped with the last idle lane: an idle connection (nearly all of
     * them, nearly all the time) holds no map here. A {@code ConcurrentHashMap} kept for the
     * connection's life cost 88 bytes per idle connection; the lock is held only to look a lane
     * up or change it, never while a change runs, by one connection's own subscribes and leaves.
     */
    private Map<String, Lane> lanes;

    /**
     * Runs {@code change} after the channel's earlier changes.
     *
     * @return {@code false}, and nothing is queued, when {@link #MAX_WAITING} changes already wait
     */
    boolean trySubmit(String channel, Supplier<Mono<Void>> change) {
        return enqueue(channel, change, true);
    }

    /** Runs {@code change} after the channel's earlier changes, however many wait. */
    void submit(String channel, Supplier<Mono<Void>> change) {
        enqueue(channel, change, false);
    }

    /** Whether a change to the channel is running or waiting (for tests and diagnostics). */
    synchronized boolean busy(String channel) {
        return lanes != null && lanes.containsKey(channel);
    }

    private boolean enqueue(String channel, Supplier<Mono<Void>> change, boolean bounded) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(change, "change");
        synchronized (this) {
            if (lanes == null) {
                lanes = new HashMap<>(2);
            }
            Lane lane = lanes.get(channel);
            if (lane != null) {
                if (bounded && lane.waiting.size() >= MAX_WAITING) {
                    return false;
                }
                lane.waiting.add(change);
                return true;
            }
            lanes.put(channel, new Lane());
        }
        run(channel, change);
        return true;
    }

    private void run(String channel, Supplier<Mono<Void>> change) {
        Mono<Void> step;
        try {
            step = Objects.requireNonNull(change.get(), "change returned null");
        }
        catch (RuntimeException ex) {
            step = Mono.error(ex);
        }
        step.subscribe(null, ex -> {
            log.warn("A subscription change to {} failed", channel, ex);
            next(channel);
        }, () -> next(channel));
    }

    /** The running change finished: starts the next one, or drops the idle lane. */
    private void next(String channel) {
        Supplier<Mono<Void>> following;
        synchronized (this) {
            Lane lane = lanes.get(channel);
            following = lane.waiting.poll();
            if (following == null) {
                lanes.remove(channel);
                if (lanes.isEmpty()) {
                    lanes = null;
                }
            }
        }
        if (following != null) {
            run(channel, following);
        }
    }

    /** The changes of one channel waiting behind its running one (a lane exists while one runs). Guarded by the changes' lock. */
    private static final class Lane {

        final Queue<Supplier<Mono<Void>>> waiting = new ArrayDeque<>(2);
    }
}
