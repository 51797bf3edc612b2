package io.herald.core.usage;

/**
 * What is counted per app. Every quantity is a sum over nodes and time, except
 * {@link #PEAK_CONNECTIONS}, which is a maximum (see {@link UsageSink}).
 */
public enum UsageQuantity {

    /** Messages accepted by the HTTP API: one per event per channel it was published to. */
    MESSAGES_PUBLISHED("published"),
    /** Messages written to subscribers' sockets: a message to N local subscribers counts N. */
    MESSAGES_DELIVERED("delivered"),
    /** Client events ({@code client-*}) accepted from connections and relayed. */
    CLIENT_EVENTS("client_events"),
    /** Webhook calls (HTTP POSTs of a batch) that the app's endpoint accepted. */
    WEBHOOK_DELIVERIES("webhooks"),
    /** Signed HTTP API requests of a known, enabled app (publishes, batches, queries, terminations). */
    API_REQUESTS("api_requests"),
    /** WebSocket connections accepted. */
    CONNECTIONS_OPENED("connections"),
    /** The highest number of connections open at once; a maximum, not a sum. */
    PEAK_CONNECTIONS("peak_connections");

    private final String wireName;

    UsageQuantity(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the usage stream, the stored series and the usage API. */
    public String wireName() {
        return wireName;
    }

    /** Whether values combine by maximum rather than by sum. */
    public boolean isPeak() {
        return this == PEAK_CONNECTIONS;
    }

    /** The quantity of a wire name, or {@code null}. */
    public static UsageQuantity fromWireName(String name) {
        for (UsageQuantity quantity : values()) {
            if (quantity.wireName.equals(name)) {
                return quantity;
            }
        }
        return null;
    }
}
