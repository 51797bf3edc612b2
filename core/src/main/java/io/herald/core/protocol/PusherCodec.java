package io.herald.core.protocol;

import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Encodes the frames Herald sends and decodes the frames clients send, in Pusher protocol v7.
 *
 * <p>Pusher double-encodes {@code data} for channel events, {@code connection_established} and
 * {@code pusher_internal:*}: it is a JSON string holding JSON. {@code pusher:error},
 * {@code pusher:ping}/{@code pusher:pong} and {@code pusher:subscription_error} carry an object.
 * Encoded frames are UTF-8 bytes, ready to be written as one text WebSocket frame; a channel
 * event is encoded once per publish and the same bytes go to every subscriber.
 *
 * <p>Thread-safe.
 */
public final class PusherCodec {

    public static final String CONNECTION_ESTABLISHED = "pusher:connection_established";
    public static final String ERROR = "pusher:error";
    public static final String PING = "pusher:ping";
    public static final String PONG = "pusher:pong";
    public static final String SUBSCRIBE = "pusher:subscribe";
    public static final String UNSUBSCRIBE = "pusher:unsubscribe";
    public static final String SUBSCRIPTION_SUCCEEDED = "pusher_internal:subscription_succeeded";
    public static final String SUBSCRIPTION_ERROR = "pusher:subscription_error";
    public static final String MEMBER_ADDED = "pusher_internal:member_added";
    public static final String MEMBER_REMOVED = "pusher_internal:member_removed";
    public static final String CACHE_MISS = "pusher:cache_miss";
    public static final String SIGNIN = "pusher:signin";
    public static final String SIGNIN_SUCCESS = "pusher:signin_success";
    public static final String WATCHLIST_EVENTS = "pusher_internal:watchlist_events";
    /** Channels of this prefix carry events for one signed-in user; {@code #} is reserved by Pusher. */
    public static final String SERVER_TO_USER_PREFIX = io.herald.core.names.Names.SERVER_TO_USER_PREFIX;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] PING_FRAME = utf8("{\"event\":\"pusher:ping\",\"data\":{}}");
    private static final byte[] PONG_FRAME = utf8("{\"event\":\"pusher:pong\",\"data\":{}}");

    private PusherCodec() {
    }

    /** The shared mapper; configured once, safe to use from any thread. */
    public static JsonMapper json() {
        return JSON;
    }

    /**
     * Decodes one client frame.
     *
     * @throws ProtocolException when the text is not a JSON object with a string {@code event}
     */
    public static ClientFrame decode(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        }
        catch (JacksonException ex) {
            throw new ProtocolException("Invalid JSON: frames must be one JSON object per message");
        }
        if (root == null || !root.isObject()) {
            throw new ProtocolException("Invalid frame: expected a JSON object");
        }
        JsonNode event = root.get("event");
        if (event == null || !event.isString() || event.asString().isEmpty()) {
            throw new ProtocolException("Invalid frame: \"event\" must be a non-empty string");
        }
        JsonNode channel = root.get("channel");
        return new ClientFrame(event.asString(),
                channel != null && channel.isString() ? channel.asString() : null, root.get("data"));
    }

    /** {@code data} as an object: itself when it is one, parsed when it is a JSON string, else {@code null}. */
    static JsonNode dataAsObject(JsonNode data) {
        if (data == null) {
            return null;
        }
        if (data.isObject()) {
            return data;
        }
        if (data.isString()) {
            try {
                JsonNode parsed = JSON.readTree(data.asString());
                return parsed != null && parsed.isObject() ? parsed : null;
            }
            catch (JacksonException ex) {
                return null;
            }
        }
        return null;
    }

    public static byte[] connectionEstablished(String socketId, int activityTimeoutSeconds) {
        ObjectNode data = JSON.createObjectNode();
        data.put("socket_id", socketId);
        data.put("activity_timeout", activityTimeoutSeconds);
        return frame(CONNECTION_ESTABLISHED, null, JSON.writeValueAsString(data), null);
    }

    /** {@code pusher:error}; {@code code} may be {@code null} for errors that are not fatal. */
    public static byte[] error(Integer code, String message) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", ERROR);
        ObjectNode data = root.putObject("data");
        data.put("message", message);
        if (code == null) {
            data.putNull("code");
        }
        else {
            data.put("code", code);
        }
        return JSON.writeValueAsBytes(root);
    }

    public static byte[] ping() {
        return PING_FRAME.clone();
    }

    public static byte[] pong() {
        return PONG_FRAME.clone();
    }

    /** {@code pusher_internal:subscription_succeeded} with {@code dataJson} (e.g. {@code {}}) as a string. */
    public static byte[] subscriptionSucceeded(String channel, String dataJson) {
        return frame(SUBSCRIPTION_SUCCEEDED, channel, dataJson, null);
    }

    /** {@code pusher:subscription_error} with {@code {type, error, status}} as pusher-js expects. */
    public static byte[] subscriptionError(String channel, String type, String error, int status) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", SUBSCRIPTION_ERROR);
        root.put("channel", channel);
        ObjectNode data = root.putObject("data");
        data.put("type", type);
        data.put("error", error);
        data.put("status", status);
        return JSON.writeValueAsBytes(root);
    }

    /**
     * A channel event as every subscriber receives it. {@code data} is the string the publisher
     * sent, written as a JSON string (Pusher's double encoding).
     *
     * @param userId the sender's user id on presence channels, else {@code null}
     */
    public static byte[] channelEvent(String event, String channel, String data, String userId) {
        return frame(event, channel, data, userId);
    }

    /**
     * {@code subscription_succeeded} for a presence channel:
     * {@code {"presence":{"ids":[…],"hash":{id:info},"count":n}}} as a string.
     *
     * @param members user id → {@code user_info} JSON text ({@code null} for none), in order
     */
    public static byte[] presenceSucceeded(String channel, java.util.Map<String, String> members) {
        ObjectNode data = JSON.createObjectNode();
        ObjectNode presence = data.putObject("presence");
        var ids = presence.putArray("ids");
        ObjectNode hash = presence.putObject("hash");
        members.forEach((id, info) -> {
            ids.add(id);
            hash.set(id, info == null ? JSON.nullNode() : readOrNull(info));
        });
        presence.put("count", members.size());
        return frame(SUBSCRIPTION_SUCCEEDED, channel, JSON.writeValueAsString(data), null);
    }

    /** {@code pusher_internal:member_added} with {@code {"user_id","user_info"}} as a string. */
    public static byte[] memberAdded(String channel, String userId, String userInfoJson) {
        ObjectNode data = JSON.createObjectNode();
        data.put("user_id", userId);
        data.set("user_info", userInfoJson == null ? JSON.nullNode() : readOrNull(userInfoJson));
        return frame(MEMBER_ADDED, channel, JSON.writeValueAsString(data), null);
    }

    /** {@code pusher_internal:member_removed} with {@code {"user_id"}} as a string. */
    public static byte[] memberRemoved(String channel, String userId) {
        ObjectNode data = JSON.createObjectNode();
        data.put("user_id", userId);
        return frame(MEMBER_REMOVED, channel, JSON.writeValueAsString(data), null);
    }

    /** {@code pusher_internal:subscription_count} with {@code {"subscription_count":n}} as a string. */
    public static byte[] subscriptionCount(String channel, long count) {
        ObjectNode data = JSON.createObjectNode();
        data.put("subscription_count", count);
        return frame("pusher_internal:subscription_count", channel, JSON.writeValueAsString(data), null);
    }

    /** {@code pusher:cache_miss} on a cache channel with nothing cached. */
    public static byte[] cacheMiss(String channel) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", CACHE_MISS);
        root.put("channel", channel);
        return JSON.writeValueAsBytes(root);
    }

    /** {@code pusher:signin_success} with {@code {"user_data": "<the signed user_data>"}}. */
    public static byte[] signinSuccess(String userData) {
        ObjectNode data = JSON.createObjectNode();
        data.put("user_data", userData);
        return frame(SIGNIN_SUCCESS, null, JSON.writeValueAsString(data), null);
    }

    /**
     * {@code pusher_internal:watchlist_events} (no channel) with
     * {@code {"events":[{"name":"online","user_ids":[…]},{"name":"offline","user_ids":[…]}]}} as a
     * string; a name whose list is empty is left out.
     */
    public static byte[] watchlistEvents(java.util.Collection<String> online, java.util.Collection<String> offline) {
        ObjectNode data = JSON.createObjectNode();
        var events = data.putArray("events");
        addWatchlistEvent(events, "online", online);
        addWatchlistEvent(events, "offline", offline);
        return frame(WATCHLIST_EVENTS, null, JSON.writeValueAsString(data), null);
    }

    private static void addWatchlistEvent(tools.jackson.databind.node.ArrayNode events, String name,
            java.util.Collection<String> userIds) {
        if (!userIds.isEmpty()) {
            ObjectNode event = events.addObject();
            event.put("name", name);
            var ids = event.putArray("user_ids");
            userIds.forEach(ids::add);
        }
    }

    /**
     * A client event as the other subscribers receive it: {@code data} exactly as the sender
     * sent it (object or string), plus {@code user_id} on presence channels.
     */
    public static byte[] clientEvent(String event, String channel, JsonNode data, String userId) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", event);
        root.put("channel", channel);
        root.set("data", data == null ? JSON.nullNode() : data);
        if (userId != null) {
            root.put("user_id", userId);
        }
        return JSON.writeValueAsBytes(root);
    }

    private static JsonNode readOrNull(String json) {
        try {
            return JSON.readTree(json);
        }
        catch (JacksonException ex) {
            return JSON.nullNode();
        }
    }

    private static byte[] frame(String event, String channel, String data, String userId) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", event);
        if (channel != null) {
            root.put("channel", channel);
        }
        if (data != null) {
            root.put("data", data);
        }
        if (userId != null) {
            root.put("user_id", userId);
        }
        return JSON.writeValueAsBytes(root);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
