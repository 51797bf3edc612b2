package io.herald.core.webhook.redis;

import io.herald.core.webhook.WebhookEvent;
import io.herald.core.app.WebhookEventType;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link WebhookEvent} as the fields of a Redis Stream entry (absent fields are left out). */
final class WebhookEventFields {

    static final String APP = "app";
    static final String TYPE = "type";
    static final String CHANNEL = "channel";
    static final String USER_ID = "user_id";
    static final String EVENT = "event";
    static final String DATA = "data";
    static final String SOCKET_ID = "socket_id";
    static final String SUBSCRIPTION_COUNT = "subscription_count";
    static final String TIME_MS = "time_ms";

    private WebhookEventFields() {
    }

    static Map<String, String> encode(WebhookEvent event) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(APP, event.appId());
        fields.put(TYPE, event.type().wireName());
        fields.put(CHANNEL, event.channel());
        putIfPresent(fields, USER_ID, event.userId());
        putIfPresent(fields, EVENT, event.event());
        putIfPresent(fields, DATA, event.data());
        putIfPresent(fields, SOCKET_ID, event.socketId());
        if (event.subscriptionCount() != null) {
            fields.put(SUBSCRIPTION_COUNT, event.subscriptionCount().toString());
        }
        fields.put(TIME_MS, Long.toString(event.timeMs()));
        return fields;
    }

    /** The event, or {@code null} when the fields are not a webhook event (a foreign or damaged entry). */
    static WebhookEvent decode(Map<String, String> fields) {
        if (fields == null) {
            return null;
        }
        try {
            String count = fields.get(SUBSCRIPTION_COUNT);
            String time = fields.get(TIME_MS);
            return new WebhookEvent(fields.get(APP), WebhookEventType.fromWireName(fields.get(TYPE)),
                    fields.get(CHANNEL), fields.get(USER_ID), fields.get(EVENT), fields.get(DATA),
                    fields.get(SOCKET_ID), count == null ? null : Long.valueOf(count),
                    time == null ? 0 : Long.parseLong(time));
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

    private static void putIfPresent(Map<String, String> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }
}
