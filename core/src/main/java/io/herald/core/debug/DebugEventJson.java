package io.herald.core.debug;

import io.herald.core.protocol.PusherCodec;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one JSON form of a {@link DebugEvent}: what the console's stream sends as an SSE's
 * {@code data}, and what the Redis adapter publishes. Fields: {@code type}, {@code time}
 * (ISO-8601), and where they apply {@code socket_id}, {@code channel}, {@code event},
 * {@code data}, {@code truncated} (only when true), {@code code}, {@code reason}, {@code url},
 * {@code status}, {@code outcome}. The app id is not in it: the stream's URL and the Redis
 * channel name carry it.
 */
public final class DebugEventJson {

    private DebugEventJson() {
    }

    public static String write(DebugEvent event) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("type", event.type().wireName());
        node.put("time", event.time().toString());
        putIf(node, "socket_id", event.socketId());
        putIf(node, "channel", event.channel());
        putIf(node, "event", event.event());
        putIf(node, "data", event.data());
        if (event.truncated()) {
            node.put("truncated", true);
        }
        if (event.code() != null) {
            node.put("code", event.code());
        }
        putIf(node, "reason", event.reason());
        putIf(node, "url", event.url());
        if (event.status() != null) {
            node.put("status", event.status());
        }
        putIf(node, "outcome", event.outcome());
        return PusherCodec.json().writeValueAsString(node);
    }

    /** The JSON of a dropped notice: {@code type} {@code dropped}, {@code time}, {@code count}. */
    public static String write(DebugNotice.Dropped dropped) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("type", "dropped");
        node.put("time", dropped.time().toString());
        node.put("count", dropped.count());
        return PusherCodec.json().writeValueAsString(node);
    }

    /**
     * The event {@link #write} wrote, for {@code appId}.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static DebugEvent read(String appId, String json) {
        JsonNode node;
        try {
            node = PusherCodec.json().readTree(json);
        }
        catch (RuntimeException ex) {
            throw new IllegalArgumentException("Not a debug event: " + ex.getMessage(), ex);
        }
        DebugEventType type = node == null ? null : DebugEventType.of(text(node, "type"));
        String time = node == null ? null : text(node, "time");
        if (type == null || time == null) {
            throw new IllegalArgumentException("Not a debug event: no known type or no time");
        }
        return new DebugEvent(type, appId, Instant.parse(time), text(node, "socket_id"), text(node, "channel"),
                text(node, "event"), text(node, "data"), node.path("truncated").asBoolean(false),
                node.hasNonNull("code") ? node.get("code").asInt() : null, text(node, "reason"), text(node, "url"),
                node.hasNonNull("status") ? node.get("status").asInt() : null, text(node, "outcome"));
    }

    private static void putIf(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asString();
    }
}
