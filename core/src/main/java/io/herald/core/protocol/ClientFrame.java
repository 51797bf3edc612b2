package io.herald.core.protocol;

import tools.jackson.databind.JsonNode;

/**
 * A frame received from a client: {@code {"event":…, "channel":…, "data":…}}.
 *
 * @param event the event name, never {@code null}
 * @param channel the channel, or {@code null}
 * @param data the data as sent: an object, a string, or {@code null}
 */
public record ClientFrame(String event, String channel, JsonNode data) {

    /**
     * A field of {@code data}, accepting both the current spec (data as an object) and the
     * 2013 spec (data as a JSON string holding an object). {@code null} when absent or not text.
     */
    public String dataField(String name) {
        JsonNode node = PusherCodec.dataAsObject(data);
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(name);
        return value != null && value.isString() ? value.asString() : null;
    }
}
