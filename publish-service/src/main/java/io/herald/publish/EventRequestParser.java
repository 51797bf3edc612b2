package io.herald.publish;

import io.herald.core.app.App;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.names.ChannelType;
import io.herald.core.names.Names;
import io.herald.core.protocol.PusherCodec;
import io.herald.publish.config.PublishProperties;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads and validates the JSON bodies of {@code POST /apps/{id}/events} and
 * {@code POST /apps/{id}/batch_events}.
 *
 * <p>Every problem is an {@link ApiException}: 400 for malformed JSON, missing or mistyped fields,
 * invalid names, socket ids and {@code info} attributes and too many channels or events; 413 for
 * {@code data} larger than the app allows. Messages name the field (and the batch index) so the
 * developer can fix the request. A batch is validated completely before anything is published.
 *
 * <p>Thread-safe; CPU only.
 */
public final class EventRequestParser {

    private final int maxChannelsPerEvent;
    private final int maxBatchSize;

    public EventRequestParser(PublishProperties properties) {
        Objects.requireNonNull(properties, "properties");
        this.maxChannelsPerEvent = properties.maxChannelsPerEvent();
        this.maxBatchSize = properties.maxBatchSize();
    }

    /** The body of {@code POST /apps/{id}/events}. */
    public PublishEvent event(byte[] body, App app) {
        return event(readObject(body), app, "", true);
    }

    /** The body of {@code POST /apps/{id}/batch_events}, in request order. */
    public List<PublishEvent> batch(byte[] body, App app) {
        JsonNode root = readObject(body);
        JsonNode batch = root.get("batch");
        if (batch == null || batch.isNull()) {
            throw badRequest("Missing required field \"batch\": expected an array of events");
        }
        if (!batch.isArray()) {
            throw badRequest("\"batch\" must be an array of events");
        }
        if (batch.size() > maxBatchSize) {
            throw badRequest("Batch too large: " + batch.size() + " events, the limit is " + maxBatchSize);
        }
        List<PublishEvent> events = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            JsonNode item = batch.get(i);
            String where = "batch[" + i + "]: ";
            if (item == null || !item.isObject()) {
                throw badRequest(where + "each event must be a JSON object");
            }
            events.add(event(item, app, where, false));
        }
        return events;
    }

    private static JsonNode readObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw badRequest("Request body is empty: expected a JSON object");
        }
        JsonNode root;
        try {
            root = PusherCodec.json().readTree(body);
        }
        catch (JacksonException ex) {
            throw badRequest("Malformed JSON body: " + ex.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw badRequest("Request body must be a JSON object");
        }
        return root;
    }

    private PublishEvent event(JsonNode node, App app, String where, boolean manyChannels) {
        String name = requiredString(node, "name", where);
        String nameProblem = Names.eventNameProblem(name);
        if (nameProblem != null) {
            throw badRequest(where + nameProblem);
        }
        if (name.startsWith("pusher:") || name.startsWith("pusher_internal:")) {
            throw badRequest(where + "Event names starting with \"pusher:\" or \"pusher_internal:\" are reserved "
                    + "for the protocol");
        }
        String data = data(node, where);
        int size = utf8Length(data);
        if (size > app.maxPayloadBytes()) {
            throw new ApiException(ApiError.PAYLOAD_TOO_LARGE, where + "\"data\" is " + size
                    + " bytes, the limit for this app is " + app.maxPayloadBytes() + " bytes");
        }
        List<String> channels = channels(node, where, manyChannels);
        String socketId = optionalString(node, "socket_id", where);
        if (socketId != null && !Names.isValidSocketId(socketId)) {
            throw badRequest(where + "Invalid socket_id: expected the form 1234.5678 that the client library "
                    + "reports as its socket id");
        }
        Set<InfoAttribute> info = info(optionalString(node, "info", where), channels, where);
        return new PublishEvent(name, data, channels, socketId, info);
    }

    /** A string is taken as is; any other JSON value is carried as its JSON text, as Pusher does. */
    private static String data(JsonNode node, String where) {
        JsonNode data = node.get("data");
        if (data == null || data.isNull() || data.isMissingNode()) {
            throw badRequest(where + "Missing required field \"data\"");
        }
        return data.isString() ? data.asString() : PusherCodec.json().writeValueAsString(data);
    }

    private List<String> channels(JsonNode node, String where, boolean manyChannels) {
        JsonNode channel = node.get("channel");
        JsonNode channels = node.get("channels");
        boolean hasChannel = channel != null && !channel.isNull();
        boolean hasChannels = channels != null && !channels.isNull();
        if (hasChannels && !manyChannels) {
            throw badRequest(where + "Events in a batch take one \"channel\", not \"channels\"");
        }
        if (hasChannel && hasChannels) {
            throw badRequest(where + "Send either \"channel\" or \"channels\", not both");
        }
        List<String> names = new ArrayList<>();
        if (hasChannel) {
            if (!channel.isString()) {
                throw badRequest(where + "\"channel\" must be a string");
            }
            names.add(channel.asString());
        }
        else if (hasChannels) {
            if (!channels.isArray()) {
                throw badRequest(where + "\"channels\" must be an array of channel names");
            }
            if (channels.size() > maxChannelsPerEvent) {
                throw badRequest(where + "Too many channels: " + channels.size() + ", the limit is "
                        + maxChannelsPerEvent + " per event");
            }
            for (int i = 0; i < channels.size(); i++) {
                JsonNode item = channels.get(i);
                if (item == null || !item.isString()) {
                    throw badRequest(where + "channels[" + i + "] must be a string");
                }
                names.add(item.asString());
            }
        }
        if (names.isEmpty()) {
            throw badRequest(where + (manyChannels ? "Missing required field \"channels\" (or \"channel\")"
                    : "Missing required field \"channel\""));
        }
        for (int i = 0; i < names.size(); i++) {
            String problem = Names.publishChannelNameProblem(names.get(i));
            if (problem != null) {
                throw badRequest(where + (hasChannels ? "channels[" + i + "]: " : "channel: ") + problem);
            }
        }
        // Publishing twice to one channel would deliver the event twice.
        return List.copyOf(new LinkedHashSet<>(names));
    }

    private static Set<InfoAttribute> info(String info, List<String> channels, String where) {
        if (info == null || info.isBlank()) {
            return Set.of();
        }
        Set<InfoAttribute> attributes = EnumSet.noneOf(InfoAttribute.class);
        for (String part : info.split(",")) {
            InfoAttribute attribute = InfoAttribute.fromWireName(part);
            if (attribute == null) {
                throw badRequest(where + "Unknown info attribute \"" + part.trim()
                        + "\"; supported are user_count and subscription_count");
            }
            attributes.add(attribute);
        }
        if (attributes.contains(InfoAttribute.USER_COUNT)) {
            for (String channel : channels) {
                if (!ChannelType.of(channel).isPresence()) {
                    throw badRequest(where + "info=user_count is only for presence channels, and " + channel
                            + " is not one");
                }
            }
        }
        return attributes;
    }

    private static String requiredString(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw badRequest(where + "Missing required field \"" + field + "\"");
        }
        if (!value.isString()) {
            throw badRequest(where + "\"" + field + "\" must be a string");
        }
        return value.asString();
    }

    private static String optionalString(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw badRequest(where + "\"" + field + "\" must be a string");
        }
        return value.asString();
    }

    /** The UTF-8 length of {@code s} without encoding it (unpaired surrogates count as '?', as the encoder writes them). */
    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            }
            else if (c < 0x800) {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c)) {
                bytes += 1;
            }
            else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static ApiException badRequest(String message) {
        return ApiError.BAD_REQUEST.exception(message);
    }
}
