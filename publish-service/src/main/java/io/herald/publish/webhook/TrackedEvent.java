package io.herald.publish.webhook;

import io.herald.core.webhook.WebhookQueueConsumer.QueuedWebhookEvent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queued event this dispatcher works on, possibly for several endpoints. It is acknowledged
 * when its last endpoint is done with it, unless it was <em>released</em>: an endpoint had no
 * room for it, so it must stay in the queue (unacknowledged and untouched) to be taken up again.
 */
final class TrackedEvent {

    private final QueuedWebhookEvent queued;
    private final AtomicInteger endpointsLeft;
    private volatile boolean released;

    TrackedEvent(QueuedWebhookEvent queued, int endpoints) {
        this.queued = queued;
        this.endpointsLeft = new AtomicInteger(endpoints);
    }

    QueuedWebhookEvent queued() {
        return queued;
    }

    String id() {
        return queued.id();
    }

    boolean released() {
        return released;
    }

    /** An endpoint had no room: the event will not be acknowledged by this dispatcher. */
    void release() {
        released = true;
    }

    /** One endpoint is done; true when it was the last. */
    boolean endpointDone() {
        return endpointsLeft.decrementAndGet() == 0;
    }
}
