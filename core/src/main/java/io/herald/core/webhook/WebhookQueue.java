package io.herald.core.webhook;

import reactor.core.publisher.Mono;

/**
 * The durable queue between the services that observe webhook events (edges, the channel
 * state reaper) and the webhook dispatcher. Producers only {@link #enqueue}; the dispatcher
 * reads through {@link WebhookQueueConsumer}, which every adapter also implements.
 *
 * <p>Filtering: {@link #enqueue} drops, at once, an event that no webhook of its app wants
 * (the app is unknown, disabled, has no webhooks, or none of them lists the event's type), so
 * apps without webhooks cost no queue space. The app is looked up in the {@code AppStore}, which
 * caches. When the lookup fails the event is queued anyway (fail open: the dispatcher filters
 * again, against the app as it is when the event is sent).
 *
 * <p>Delivery to endpoints is at least once: an event is acknowledged only after its batch was
 * accepted (2XX) or given up after the retry period. Events may be delivered more than once,
 * and receivers should de-duplicate.
 *
 * <p>{@link #enqueue} never blocks the calling thread. It fails (with the adapter's exception)
 * when the queue cannot take the event; what to do then (usually: log and count) is the
 * producer's decision. The Redis queue does not fail while the state Redis is unreachable: it
 * keeps the event in a bounded buffer on this node and queues it when Redis is back
 * ({@code herald.webhooks.buffer.*}, see {@code redis.WebhookOutageBuffer}).
 */
public interface WebhookQueue {

    /** Adds an event; completes once it is durably queued (or dropped because the app wants none). */
    Mono<Void> enqueue(WebhookEvent event);
}
