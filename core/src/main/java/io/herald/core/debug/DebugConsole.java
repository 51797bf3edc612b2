package io.herald.core.debug;

import reactor.core.publisher.Flux;

/**
 * The live debug console of an app: services emit what happens to an app only while somebody
 * watches it; watchers get a bounded live stream of it.
 *
 * <h2>What callers may rely on</h2>
 * <ul>
 * <li><b>Nothing when nobody watches.</b> Emitters ask {@link #watched} first, on the hot path,
 * and build a {@link DebugEvent} only when it says yes. It is a read of a volatile immutable set:
 * no allocation, no lock, no I/O. {@link #emit} for an app nobody watches does nothing.</li>
 * <li><b>Never blocks, never slows the caller.</b> {@link #emit} hands the event on and returns;
 * over a bound it drops the event (counted) rather than queue it. It may be called on event
 * loops and on Redis I/O threads.</li>
 * <li><b>Bounded per watcher.</b> Each watcher has a buffer of {@code herald.debug.buffer-size}
 * notices; a watcher that does not keep up loses events and is told how many with a
 * {@link DebugNotice.Dropped} before the next one it gets.</li>
 * <li><b>Best effort, live only.</b> No history and no replay: a watcher sees what happened while
 * it watched, from the moment the emitters learnt of it (at once in one process; within the
 * announcement's delivery, or at worst {@code herald.debug.refresh-interval}, in a cluster).</li>
 * </ul>
 */
public interface DebugConsole {

    /** Whether anybody watches {@code appId} now: the cheap check before building an event. */
    boolean watched(String appId);

    /** Hands {@code event} to its app's watchers, if any; never blocks, never throws for load. */
    void emit(DebugEvent event);

    /**
     * The events of {@code appId} from now on, while subscribed: subscribing makes this a watcher,
     * cancelling ends it. Emits {@link DebugNotice.Dropped} when events were dropped for it.
     */
    Flux<DebugNotice> watch(String appId);

    /** A console nobody can watch ({@code herald.debug.enabled=false}). */
    DebugConsole NONE = new DebugConsole() {
        @Override
        public boolean watched(String appId) {
            return false;
        }

        @Override
        public void emit(DebugEvent event) {
        }

        @Override
        public Flux<DebugNotice> watch(String appId) {
            return Flux.error(new IllegalStateException("The debug console is off (herald.debug.enabled=false)"));
        }
    };
}
