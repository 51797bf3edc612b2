package io.herald.core.webhook;

import reactor.core.publisher.Mono;

/**
 * The durable queue between the services that observe webhook events (edges, the channel
 * state reaper) and the webhook dispatcher. Producers only {@link #enqueue}; the dispatcher's
 * consuming side belongs to the adapter (a Redis Stream with a consumer group, or memory).
 *
 * <p>Delivery to endpoints is at least once: an event is acknowledged only after its batch was
 * accepted (2XX) or given up after the retry period.
 */
public interface WebhookQueue {

    /** Adds an event; completes once it is durably queued (or dropped because the app wants none). */
    Mono<Void> enqueue(WebhookEvent event);
}
