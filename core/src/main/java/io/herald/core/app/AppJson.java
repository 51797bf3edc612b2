package io.herald.core.app;

import io.herald.core.protocol.PusherCodec;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON form of an {@link App}, shared by the admin API, the internal API that edges read
 * and the Redis registry (which keeps limits, features and webhooks as JSON hash fields).
 *
 * <p>Shape: {@code {"id","key","name","enabled","limits":{…},"features":{…},"webhooks":[{"url","events":[…]}],
 * "previousSecretValidUntil"?}}, plus {@code "secret"} only when asked for. The previous secret
 * itself is never written. Field names are camelCase, as {@link AppLimits} and {@link AppFeatures}
 * name them.
 *
 * <p>The readers collect problems into a list (with {@code where} as the path of the field)
 * rather than stopping at the first, so an API can report every mistake of a request at once;
 * no message ever contains a secret.
 */
public final class AppJson {

    private AppJson() {
    }

    /** The app as JSON; {@code withSecret} adds the current secret (create and rotate responses only). */
    public static ObjectNode toJson(App app, boolean withSecret) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("id", app.id());
        node.put("key", app.key());
        if (withSecret) {
            node.put("secret", app.secret());
        }
        node.put("name", app.name());
        node.put("enabled", app.enabled());
        node.set("limits", limitsToJson(app.limits()));
        node.set("features", featuresToJson(app.features()));
        node.set("webhooks", webhooksToJson(app.webhooks()));
        if (app.previousSecret() != null && app.previousSecretValidUntil() != null) {
            node.put("previousSecretValidUntil", app.previousSecretValidUntil().toString());
        }
        return node;
    }

    /**
     * Reads the public view written by {@code toJson(app, false)}: the app has an empty secret.
     *
     * @throws IllegalArgumentException when the JSON is not such a view
     */
    public static App fromPublicJson(JsonNode node) {
        List<String> problems = new ArrayList<>();
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("An app must be a JSON object");
        }
        String id = text(node, "id");
        String key = text(node, "key");
        if (id == null || key == null) {
            problems.add("id and key must be strings");
        }
        JsonNode enabled = node.get("enabled");
        AppLimits limits = limitsFromJson(node.get("limits"), AppLimits.DEFAULTS, "limits", problems);
        AppFeatures features = featuresFromJson(node.get("features"), AppFeatures.DEFAULTS, "features", problems);
        List<Webhook> webhooks = webhooksFromJson(node.get("webhooks"), "webhooks", problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid app: " + String.join("; ", problems));
        }
        return new App(id, key, "", text(node, "name"), enabled == null || enabled.asBoolean(), limits, features,
                webhooks, null, null);
    }

    public static ObjectNode limitsToJson(AppLimits limits) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("maxConnections", limits.maxConnections());
        node.put("maxPublishPerSecond", limits.maxPublishPerSecond());
        node.put("maxClientEventsPerSecond", limits.maxClientEventsPerSecond());
        node.put("maxPayloadBytes", limits.maxPayloadBytes());
        node.put("maxPresenceMembers", limits.maxPresenceMembers());
        node.put("maxUserInfoBytes", limits.maxUserInfoBytes());
        node.put("maxApiRequestsPerSecond", limits.maxApiRequestsPerSecond());
        node.put("maxMessagesPerDay", limits.maxMessagesPerDay());
        node.put("timeZone", limits.timeZone().getId());
        return node;
    }

    public static ObjectNode featuresToJson(AppFeatures features) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("clientEvents", features.clientEvents());
        node.put("userAuthentication", features.userAuthentication());
        node.put("subscriptionCount", features.subscriptionCount());
        node.put("watchlistEvents", features.watchlistEvents());
        return node;
    }

    public static ArrayNode webhooksToJson(List<Webhook> webhooks) {
        ArrayNode array = PusherCodec.json().createArrayNode();
        for (Webhook webhook : webhooks) {
            ObjectNode hook = array.addObject();
            hook.put("url", webhook.url().toString());
            ArrayNode events = hook.putArray("events");
            // Sorted by the enum's order, so the JSON of equal webhooks is equal.
            EnumSet<WebhookEventType> sorted = webhook.events().isEmpty() ? EnumSet.noneOf(WebhookEventType.class)
                    : EnumSet.copyOf(webhook.events());
            sorted.forEach(type -> events.add(type.wireName()));
        }
        return array;
    }

    /**
     * Limits from a JSON object: the fields present replace those of {@code base}, so a partial
     * object updates. {@code null} node → {@code base}.
     */
    public static AppLimits limitsFromJson(JsonNode node, AppLimits base, String where, List<String> problems) {
        if (node == null || node.isNull()) {
            return base;
        }
        if (!node.isObject()) {
            problems.add(where + " must be an object");
            return base;
        }
        unknownFields(node, Set.of("maxConnections", "maxPublishPerSecond", "maxClientEventsPerSecond",
                "maxPayloadBytes", "maxPresenceMembers", "maxUserInfoBytes", "maxApiRequestsPerSecond",
                "maxMessagesPerDay", "timeZone"), where, problems);
        int before = problems.size();
        int maxConnections = integer(node, "maxConnections", base.maxConnections(), 0, where, problems);
        int maxPublish = integer(node, "maxPublishPerSecond", base.maxPublishPerSecond(), 0, where, problems);
        int maxClientEvents = integer(node, "maxClientEventsPerSecond", base.maxClientEventsPerSecond(), 1, where,
                problems);
        int maxPayload = integer(node, "maxPayloadBytes", base.maxPayloadBytes(), 1, where, problems);
        int maxPresence = integer(node, "maxPresenceMembers", base.maxPresenceMembers(), 1, where, problems);
        int maxUserInfo = integer(node, "maxUserInfoBytes", base.maxUserInfoBytes(), 1, where, problems);
        int maxApiRequests = integer(node, "maxApiRequestsPerSecond", base.maxApiRequestsPerSecond(), 0, where,
                problems);
        long maxPerDay = longInteger(node, "maxMessagesPerDay", base.maxMessagesPerDay(), where, problems);
        ZoneId zone = zone(node, "timeZone", base.timeZone(), where, problems);
        if (problems.size() > before) {
            return base;
        }
        return new AppLimits(maxConnections, maxPublish, maxClientEvents, maxPayload, maxPresence, maxUserInfo,
                maxApiRequests, maxPerDay, zone);
    }

    /** Features from a JSON object; the fields present replace those of {@code base}. */
    public static AppFeatures featuresFromJson(JsonNode node, AppFeatures base, String where, List<String> problems) {
        if (node == null || node.isNull()) {
            return base;
        }
        if (!node.isObject()) {
            problems.add(where + " must be an object");
            return base;
        }
        unknownFields(node, Set.of("clientEvents", "userAuthentication", "subscriptionCount", "watchlistEvents"), where,
                problems);
        return new AppFeatures(bool(node, "clientEvents", base.clientEvents(), where, problems),
                bool(node, "userAuthentication", base.userAuthentication(), where, problems),
                bool(node, "subscriptionCount", base.subscriptionCount(), where, problems),
                bool(node, "watchlistEvents", base.watchlistEvents(), where, problems));
    }

    /** Webhooks from a JSON array of {@code {"url","events"?}}; {@code null} node → none. */
    public static List<Webhook> webhooksFromJson(JsonNode node, String where, List<String> problems) {
        List<Webhook> webhooks = new ArrayList<>();
        if (node == null || node.isNull()) {
            return webhooks;
        }
        if (!node.isArray()) {
            problems.add(where + " must be an array");
            return webhooks;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode hook = node.get(i);
            String hookWhere = where + "[" + i + "]";
            if (!hook.isObject()) {
                problems.add(hookWhere + " must be an object with a url");
                continue;
            }
            unknownFields(hook, Set.of("url", "events"), hookWhere, problems);
            URI url = httpUrl(text(hook, "url"));
            if (url == null) {
                problems.add(hookWhere + ".url must be an absolute http or https URL");
                continue;
            }
            Set<WebhookEventType> types = EnumSet.noneOf(WebhookEventType.class);
            JsonNode events = hook.get("events");
            if (events != null && !events.isNull()) {
                if (!events.isArray()) {
                    problems.add(hookWhere + ".events must be an array of event types");
                    continue;
                }
                for (JsonNode event : events) {
                    try {
                        types.add(WebhookEventType.fromWireName(event.isString() ? event.asString() : ""));
                    }
                    catch (IllegalArgumentException ex) {
                        problems.add(hookWhere + ".events has an unknown event type: " + event);
                    }
                }
            }
            webhooks.add(new Webhook(url, types));
        }
        return webhooks;
    }

    /** Reports every field of {@code node} that is not in {@code known}. */
    public static void unknownFields(JsonNode node, Set<String> known, String where, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
            String field = it.next().getKey();
            if (!known.contains(field)) {
                problems.add((where.isEmpty() ? "" : where + ".") + field + " is not a known field");
            }
        }
    }

    /** An instant written by {@link Instant#toString()}, or {@code null}. */
    static Instant instant(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        }
        catch (DateTimeParseException ex) {
            return null;
        }
    }

    private static URI httpUrl(String text) {
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text);
            boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            return http && uri.getHost() != null ? uri : null;
        }
        catch (URISyntaxException ex) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static int integer(JsonNode node, String field, int fallback, int min, String where,
            List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min) {
            problems.add(where + "." + field + " must be an integer of at least " + min
                    + (min == 0 ? " (0 = no limit)" : ""));
            return fallback;
        }
        return value.asInt();
    }

    private static long longInteger(JsonNode node, String field, long fallback, String where, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            problems.add(where + "." + field + " must be an integer of at least 0 (0 = no limit)");
            return fallback;
        }
        return value.asLong();
    }

    private static ZoneId zone(JsonNode node, String field, ZoneId fallback, String where, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (value.isString()) {
            try {
                return ZoneId.of(value.asString());
            }
            catch (java.time.DateTimeException ex) {
                // reported below
            }
        }
        problems.add(where + "." + field + " must be a time zone id such as UTC or Europe/Paris");
        return fallback;
    }

    private static boolean bool(JsonNode node, String field, boolean fallback, String where, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            problems.add(where + "." + field + " must be true or false");
            return fallback;
        }
        return value.asBoolean();
    }
}
