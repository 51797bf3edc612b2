package io.herald.publish.webhook;

import io.herald.core.app.App;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The events held for one endpoint of one app: those waiting in the open batch, the batches
 * waiting for the endpoint's circuit to let them through (never sent yet), and a count of all
 * held (open, being sent, waiting for the circuit or for a retry) against {@code maxEvents}. Not
 * thread-safe: the dispatcher calls it only inside its map's atomic section for this endpoint.
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
    /** Batches whose first attempt the open circuit refused, oldest first. */
    private final ArrayDeque<WebhookBatch> waiting = new ArrayDeque<>();
    /** Whether one of {@link #waiting} is out as the probe. */
    private boolean probing;

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

    /** The circuit refused the batch's first attempt: it waits (still held) until the endpoint recovers. */
    void await(WebhookBatch batch) {
        waiting.addLast(batch);
    }

    /** Whether batches wait for the circuit. */
    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** How many batches wait for the circuit (not counting one out as the probe). */
    int waitingCount() {
        return waiting.size();
    }

    /**
     * The newest waiting batch, to try as the probe, or {@code null} when none waits or one is out
     * already (until {@link #probeDone()}). The newest: it carries what the tenant has not seen yet.
     */
    WebhookBatch takeProbe() {
        if (probing || waiting.isEmpty()) {
            return null;
        }
        probing = true;
        return waiting.pollLast();
    }

    /** The probe came back (sent, failed, or refused and waiting again). */
    void probeDone() {
        probing = false;
    }

    /** Every waiting batch, no longer waiting: the circuit closed. */
    List<WebhookBatch> takeWaiting() {
        List<WebhookBatch> all = new ArrayList<>(waiting);
        waiting.clear();
        return all;
    }

    /** The waiting batches whose deadline has passed, no longer waiting. */
    List<WebhookBatch> takeExpired(long nowMillis) {
        List<WebhookBatch> expired = new ArrayList<>();
        waiting.removeIf(batch -> {
            if (batch.deadline() < nowMillis) {
                expired.add(batch);
                return true;
            }
            return false;
        });
        return expired;
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
