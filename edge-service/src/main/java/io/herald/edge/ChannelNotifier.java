package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.MessageIds;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.webhook.WebhookEventType;
import io.herald.core.webhook.WebhookQueue;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the edge tells others: frames it publishes to a channel's subscribers on every node
 * (presence changes, client events), and webhook events it queues for the app.
 *
 * <p>Fire and forget: both are best effort from the edge's point of view. A frame that cannot
 * be published (its shard is down) is lost like any message to that shard; a webhook that
 * cannot be queued is logged. Neither blocks the caller.
 */
public final class ChannelNotifier {

    private static final Logger log = LoggerFactory.getLogger(ChannelNotifier.class);

    private final Broker broker;
    private final WebhookQueue webhooks;
    private final Clock clock;

    public ChannelNotifier(Broker broker, WebhookQueue webhooks, Clock clock) {
        this.broker = broker;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    /** Publishes a frame to every subscriber of the channel but {@code excludeSocketId}. */
    public void publish(ChannelKey channel, byte[] frame, String excludeSocketId) {
        broker.publish(new Envelope(channel, MessageIds.next(), excludeSocketId, frame))
                .subscribe(null, ex -> log.warn("Could not publish to {}: {}", channel, ex.getMessage()));
    }

    /** Queues a webhook event if one of the app's endpoints wants its type. */
    public void webhook(App app, WebhookEvent event) {
        if (!wants(app, event.type())) {
            return;
        }
        webhooks.enqueue(event).subscribe(null,
                ex -> log.warn("Could not queue {} webhook for app {}: {}", event.type().wireName(), app.id(),
                        ex.getMessage()));
    }

    public void channelWebhook(App app, WebhookEventType type, String channel) {
        if (wants(app, type)) {
            webhook(app, WebhookEvent.channel(app.id(), type, channel, clock.millis()));
        }
    }

    public void memberWebhook(App app, WebhookEventType type, String channel, String userId) {
        if (wants(app, type)) {
            webhook(app, WebhookEvent.member(app.id(), type, channel, userId, clock.millis()));
        }
    }

    long nowMillis() {
        return clock.millis();
    }

    static boolean wants(App app, WebhookEventType type) {
        return app.webhooks().stream().anyMatch(w -> w.wants(type));
    }
}
