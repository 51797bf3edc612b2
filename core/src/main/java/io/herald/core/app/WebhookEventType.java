package io.herald.core.app;

import java.util.Locale;

/** The webhook events Pusher defines, with their wire names. */
public enum WebhookEventType {

    CHANNEL_OCCUPIED,
    CHANNEL_VACATED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
    CLIENT_EVENT,
    CACHE_MISS,
    SUBSCRIPTION_COUNT;

    /** The name in the webhook body, e.g. {@code channel_occupied}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for a wire name (case-insensitive, {@code -} or {@code _}). */
    public static WebhookEventType fromWireName(String name) {
        return valueOf(name.trim().replace('-', '_').toUpperCase(Locale.ROOT));
    }
}
