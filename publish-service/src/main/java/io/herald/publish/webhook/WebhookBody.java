package io.herald.publish.webhook;

import io.herald.core.protocol.PusherCodec;
import io.herald.core.webhook.WebhookEvent;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of a webhook request, in Pusher's shape: {@code {"time_ms":…,"events":[…]}}, each
 * event with the fields its type has in Pusher's documentation and no others.
 */
final class WebhookBody {

    private WebhookBody() {
    }

    static byte[] encode(long timeMs, List<WebhookEvent> events) {
        ObjectNode root = PusherCodec.json().createObjectNode();
        root.put("time_ms", timeMs);
        ArrayNode array = root.putArray("events");
        for (WebhookEvent event : events) {
            ObjectNode node = array.addObject();
            node.put("name", event.type().wireName());
            node.put("channel", event.channel());
            switch (event.type()) {
                case MEMBER_ADDED, MEMBER_REMOVED -> node.put("user_id", event.userId());
                case CLIENT_EVENT -> {
                    node.put("event", event.event());
                    node.put("data", event.data());
                    node.put("socket_id", event.socketId());
                    if (event.userId() != null) {
                        node.put("user_id", event.userId());
                    }
                }
                case SUBSCRIPTION_COUNT -> node.put("subscription_count",
                        event.subscriptionCount() == null ? 0 : event.subscriptionCount());
                case CHANNEL_OCCUPIED, CHANNEL_VACATED, CACHE_MISS -> {
                }
            }
        }
        return PusherCodec.json().writeValueAsBytes(root);
    }
}
