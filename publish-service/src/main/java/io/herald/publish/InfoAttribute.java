package io.herald.publish;

import java.util.Locale;

/** The attributes a publisher may ask for with {@code info} when triggering events. */
public enum InfoAttribute {

    /** Distinct users on a presence channel; presence channels only. */
    USER_COUNT("user_count"),
    /** Connections subscribed to a channel. */
    SUBSCRIPTION_COUNT("subscription_count");

    private final String wireName;

    InfoAttribute(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in requests and responses. */
    public String wireName() {
        return wireName;
    }

    /** The attribute called {@code name} in requests, or {@code null}. */
    public static InfoAttribute fromWireName(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (InfoAttribute attribute : values()) {
            if (attribute.wireName.equals(lower)) {
                return attribute;
            }
        }
        return null;
    }
}
