package io.herald.core.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * The consuming side of the {@link WebhookQueue}, used by webhook dispatchers. Several
 * dispatchers (each a named <em>consumer</em>) share one queue; each event is handed to one of
 * them at a time.
 *
 * <p>Life of an event: {@link #read} hands it to a consumer, which then owns it (it is
 * <em>pending</em>) until it {@link #ack}s it. A pending event that its owner has neither
 * acknowledged nor {@link #touch touched} for some time is presumed abandoned (its dispatcher
 * died) and another consumer may take it over with {@link #reclaim}. A consumer that is still
 * working on events (retrying an endpoint, say) touches them regularly so that they are not
 * taken from it. This gives at-least-once delivery: an event leaves the queue only when acked.
 *
 * <p>Bounds: adapters hold a bounded number of events; beyond it the oldest are dropped (see
 * each adapter). Nothing here blocks the calling thread.
 */
public interface WebhookQueueConsumer {

    /**
     * New events for {@code consumer}, which owns them from now on: at most {@code max}, in
     * queue order. When there are none, waits up to {@code wait} for some (adapters may wait
     * less) and completes with an empty list.
     */
    Mono<List<QueuedWebhookEvent>> read(String consumer, int max, Duration wait);

    /**
     * Takes over, for {@code consumer}, at most {@code max} pending events that no consumer has
     * read, touched or reclaimed for at least {@code minIdle}. Successive calls continue where the
     * previous one stopped and start again from the oldest after the end.
     */
    Mono<List<QueuedWebhookEvent>> reclaim(String consumer, Duration minIdle, int max);

    /** Marks pending events of {@code consumer} as still being worked on, so they do not look idle. */
    Mono<Void> touch(String consumer, List<String> ids);

    /** Removes events from the queue for good: they were delivered or given up. Unknown ids are ignored. */
    Mono<Void> ack(List<String> ids);

    /**
     * Forgets consumers other than {@code self} that have not read for at least {@code minIdle}
     * and own no pending event (dispatchers that died and whose events were reclaimed), so that
     * the queue's list of consumers does not grow with every restart. Completes with how many were
     * forgotten; adapters that keep no list of consumers complete with 0.
     */
    Mono<Integer> forgetIdleConsumers(String self, Duration minIdle);

    /**
     * An event as the queue holds it.
     *
     * @param id the queue's id of the event, for {@link #ack} and {@link #touch}
     * @param event the event
     */
    record QueuedWebhookEvent(String id, WebhookEvent event) {

        public QueuedWebhookEvent {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(event, "event");
        }
    }
}
