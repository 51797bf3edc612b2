package io.herald.publish.webhook;

import io.herald.core.app.App;
import java.util.List;

/**
 * A batch as sent: its events and the signed body every attempt sends again.
 *
 * @param key the endpoint
 * @param app the app as it was when the batch was formed (its key and secret sign it)
 * @param events the events
 * @param body the request body
 * @param deadline epoch millis after which the batch is given up (formed + {@code retry-period})
 */
record WebhookBatch(EndpointBatcher.Key key, App app, List<TrackedEvent> events, byte[] body, long deadline) {
}
