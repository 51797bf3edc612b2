package io.herald.core.debug;

/** What a debug console event is about; {@link #wireName()} is its SSE event name and JSON {@code type}. */
public enum DebugEventType {

    CONNECTION_OPENED("connection_opened"),
    CONNECTION_CLOSED("connection_closed"),
    SUBSCRIBED("subscribed"),
    UNSUBSCRIBED("unsubscribed"),
    API_MESSAGE("api_message"),
    CLIENT_EVENT("client_event"),
    WEBHOOK_ATTEMPT("webhook_attempt");

    private final String wireName;

    DebugEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The type named {@code wireName}, or {@code null} for none. */
    public static DebugEventType of(String wireName) {
        for (DebugEventType type : values()) {
            if (type.wireName.equals(wireName)) {
                return type;
            }
        }
        return null;
    }
}
