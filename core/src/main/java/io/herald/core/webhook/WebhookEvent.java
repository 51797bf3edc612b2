package io.herald.core.webhook;

import io.herald.core.app.WebhookEventType;
import java.util.Objects;

/**
 * One webhook event of an app, in Pusher's shape. Fields that do not apply to the type are
 * {@code null}.
 *
 * @param appId the app
 * @param type the event type
 * @param channel the channel (every type has one)
 * @param userId {@code member_added}, {@code member_removed}, and {@code client_event} on presence channels
 * @param event the client event's name ({@code client_event})
 * @param data the client event's data ({@code client_event})
 * @param socketId the sender's socket ({@code client_event})
 * @param subscriptionCount the count ({@code subscription_count})
 * @param timeMs when it happened, epoch milliseconds
 */
public record WebhookEvent(String appId, WebhookEventType type, String channel, String userId, String event,
        String data, String socketId, Long subscriptionCount, long timeMs) {

    public WebhookEvent {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(channel, "channel");
    }

    public static WebhookEvent channel(String appId, WebhookEventType type, String channel, long timeMs) {
        return new WebhookEvent(appId, type, channel, null, null, null, null, null, timeMs);
    }

    public static WebhookEvent member(String appId, WebhookEventType type, String channel, String userId,
            long timeMs) {
        return new WebhookEvent(appId, type, channel, userId, null, null, null, null, timeMs);
    }
}
