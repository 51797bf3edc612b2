package io.herald.core.app;

import java.net.URI;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A webhook endpoint of an app and the event types it wants.
 *
 * @param url where batches are POSTed
 * @param events the event types to send; empty means all
 */
public record Webhook(URI url, Set<WebhookEventType> events) {

    public Webhook {
        Objects.requireNonNull(url, "url");
        events = events == null || events.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(events));
    }

    public boolean wants(WebhookEventType type) {
        return events.isEmpty() || events.contains(type);
    }
}
