package io.herald.core.debug;

import java.time.Instant;

/**
 * What a watcher of the debug console receives: an event of the app, or word that events were
 * dropped because the watcher did not keep up.
 */
public sealed interface DebugNotice permits DebugEvent, DebugNotice.Dropped {

    /**
     * Events this watcher did not get because its buffer was full, counted since the last notice;
     * delivered just before the next event that fits.
     *
     * @param count how many were dropped (≥ 1)
     * @param time when this notice was made
     */
    record Dropped(long count, Instant time) implements DebugNotice {
    }
}
