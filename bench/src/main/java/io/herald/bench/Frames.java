package io.herald.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TreeNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pusher frame handling: the envelope {@code {event, channel?, data?}} whose {@code data} is a
 * JSON string for channel events (double encoding) and an object for {@code pusher:error}; and
 * the bench payload {@code {"r":run,"s":seq,"t":sendNanos}} carried inside {@code data}.
 * Parsing uses Jackson's streaming parser: it runs once per delivery per subscriber.
 */
final class Frames {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** A decoded envelope; {@code data} is the string value, or the object's JSON text. */
    record Frame(String event, String channel, String data) {
    }

    /** A decoded bench payload. */
    record Payload(int run, long seq, long sentNanos) {
    }

    private Frames() {
    }

    /** The envelope of a text frame, or {@code null} if it is not a JSON object. */
    static Frame parseFrame(String text) {
        try (JsonParser p = MAPPER.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String event = null;
            String channel = null;
            String data = null;
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "event" -> event = t == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "channel" -> channel = t == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "data" -> {
                        if (t == JsonToken.VALUE_STRING) {
                            data = p.getString();
                        }
                        else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                            TreeNode tree = p.readValueAsTree();
                            data = tree.toString();
                        }
                        else if (t != JsonToken.VALUE_NULL) {
                            data = p.getText();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return new Frame(event, channel, data);
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    /** The bench payload inside a channel event's {@code data}, or {@code null} if it is not one. */
    static Payload parsePayload(String data) {
        if (data == null) {
            return null;
        }
        try (JsonParser p = MAPPER.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            long run = Long.MIN_VALUE;
            long seq = Long.MIN_VALUE;
            long sent = Long.MIN_VALUE;
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                boolean number = t == JsonToken.VALUE_NUMBER_INT;
                switch (name) {
                    case "r" -> run = number ? p.getLongValue() : run;
                    case "s" -> seq = number ? p.getLongValue() : seq;
                    case "t" -> sent = number ? p.getLongValue() : sent;
                    default -> p.skipChildren();
                }
            }
            if (run == Long.MIN_VALUE || seq == Long.MIN_VALUE || sent == Long.MIN_VALUE
                    || run < 0 || run > Integer.MAX_VALUE) {
                return null;
            }
            return new Payload((int) run, seq, sent);
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    /** The inner {@code data} string of a published message. */
    static String payloadJson(int run, long seq, long sentNanos, String padding) {
        StringBuilder sb = new StringBuilder(48 + padding.length());
        sb.append("{\"r\":").append(run).append(",\"s\":").append(seq).append(",\"t\":").append(sentNanos);
        if (!padding.isEmpty()) {
            sb.append(",\"p\":\"").append(padding).append('"');
        }
        return sb.append('}').toString();
    }

    /** The HTTP API body for {@code POST /apps/{id}/events}: data double-encoded as a string. */
    static String eventBody(String eventName, String channel, String data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", eventName);
        body.put("channel", channel);
        body.put("data", data);
        return MAPPER.writeValueAsString(body);
    }

    static String subscribe(String channel) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("channel", channel);
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("event", "pusher:subscribe");
        frame.put("data", data);
        return MAPPER.writeValueAsString(frame);
    }

    static final String PONG = "{\"event\":\"pusher:pong\",\"data\":{}}";
}
