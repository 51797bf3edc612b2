package io.herald.publish.webhook;

import io.herald.core.app.App;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The events held for one endpoint of one app: those waiting in the open batch, and a count of
 * all held (open, being sent, or waiting for a retry) against {@code maxEvents}. Not thread-safe:
 * the dispatcher calls it only inside its map's atomic section for this endpoint.
 */
final class EndpointBatcher {

    /** Identifies an endpoint of an app; two apps with the same URL are two endpoints (they sign differently). */
    record Key(String appId, URI url) {
    }

    private final Key key;
    private final int maxBatch;
    private final int maxEvents;
    private List<TrackedEvent> open = new ArrayList<>();
    private App app;
    private int held;
    private boolean timerSet;

    EndpointBatcher(Key key, int maxBatch, int maxEvents) {
        this.key = key;
        this.maxBatch = maxBatch;
        this.maxEvents = maxEvents;
    }

    Key key() {
        return key;
    }

    /** The app as last seen when an event was added: its key and secret sign the next batch. */
    App app() {
        return app;
    }

    /** Whether another event may be held. */
    boolean hasRoom() {
        return held < maxEvents;
    }

    /** Adds an event (the caller checked {@link #hasRoom()}); returns a full batch to send now, else {@code null}. */
    List<TrackedEvent> add(TrackedEvent event, App current) {
        app = current;
        held++;
        open.add(event);
        return open.size() >= maxBatch ? takeOpen() : null;
    }

    /** Whether the caller must schedule a flush of the open batch (one per batch, set by the first event). */
    boolean needsTimer() {
        if (!open.isEmpty() && !timerSet) {
            timerSet = true;
            return true;
        }
        return false;
    }

    /** The open batch, now closed; empty when there is none. */
    List<TrackedEvent> takeOpen() {
        List<TrackedEvent> batch = open;
        open = new ArrayList<>();
        timerSet = false;
        return batch;
    }

    /** {@code count} held events are finished (delivered, given up). */
    void release(int count) {
        held -= count;
    }

    /** Nothing held: the batcher can be forgotten. */
    boolean idle() {
        return held == 0 && open.isEmpty();
    }
}
