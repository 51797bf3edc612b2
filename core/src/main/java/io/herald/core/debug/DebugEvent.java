package io.herald.core.debug;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One event of the live debug console: something that happened to an app, as its watchers see
 * it. Fields that do not apply to the type are {@code null}. Never holds a secret: no app secret,
 * no signature, no credentials of a webhook URL (see {@link #webhookAttempt}).
 *
 * @param type what happened
 * @param appId the app it happened to
 * @param time when
 * @param socketId the connection (connections, subscriptions, client events), or the socket an
 *        API message excluded
 * @param channel the channel (subscriptions, messages, client events)
 * @param event the event name (messages, client events)
 * @param data the payload, at most {@link #MAX_DATA_BYTES} bytes of UTF-8
 * @param truncated whether {@code data} was cut to {@link #MAX_DATA_BYTES}
 * @param code a connection's close code
 * @param reason a connection's close reason
 * @param url a webhook endpoint, without user info and query
 * @param status a webhook attempt's HTTP status (0 for no answer)
 * @param outcome a webhook attempt's outcome: {@code delivered}, {@code retrying}, {@code given_up},
 *        {@code waiting} (the endpoint's circuit is open; the batch waits for it)
 */
public record DebugEvent(DebugEventType type, String appId, Instant time, String socketId, String channel,
        String event, String data, boolean truncated, Integer code, String reason, String url, Integer status,
        String outcome) implements DebugNotice {

    /** The most of a payload an event carries: 1 KiB. */
    public static final int MAX_DATA_BYTES = 1024;

    public DebugEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(time, "time");
    }

    public static DebugEvent connectionOpened(String appId, Instant time, String socketId) {
        return new DebugEvent(DebugEventType.CONNECTION_OPENED, appId, time, socketId, null, null, null, false, null,
                null, null, null, null);
    }

    public static DebugEvent connectionClosed(String appId, Instant time, String socketId, int code, String reason) {
        return new DebugEvent(DebugEventType.CONNECTION_CLOSED, appId, time, socketId, null, null, null, false, code,
                reason == null || reason.isEmpty() ? null : reason, null, null, null);
    }

    public static DebugEvent subscribed(String appId, Instant time, String socketId, String channel) {
        return new DebugEvent(DebugEventType.SUBSCRIBED, appId, time, socketId, channel, null, null, false, null, null,
                null, null, null);
    }

    public static DebugEvent unsubscribed(String appId, Instant time, String socketId, String channel) {
        return new DebugEvent(DebugEventType.UNSUBSCRIBED, appId, time, socketId, channel, null, null, false, null,
                null, null, null, null);
    }

    /** An event published through the HTTP API to one channel; {@code excludedSocketId} may be {@code null}. */
    public static DebugEvent apiMessage(String appId, Instant time, String channel, String event, String data,
            String excludedSocketId) {
        String cut = truncate(data);
        return new DebugEvent(DebugEventType.API_MESSAGE, appId, time, excludedSocketId, channel, event, cut,
                cut != data, null, null, null, null, null);
    }

    public static DebugEvent clientEvent(String appId, Instant time, String socketId, String channel, String event,
            String data) {
        String cut = truncate(data);
        return new DebugEvent(DebugEventType.CLIENT_EVENT, appId, time, socketId, channel, event, cut, cut != data,
                null, null, null, null, null);
    }

    /** One attempt to call a webhook endpoint; {@code url} is shown without user info or query (they may hold credentials). */
    public static DebugEvent webhookAttempt(String appId, Instant time, java.net.URI url, int status, String outcome) {
        return new DebugEvent(DebugEventType.WEBHOOK_ATTEMPT, appId, time, null, null, null, null, false, null, null,
                withoutCredentials(url), status, Objects.requireNonNull(outcome, "outcome"));
    }

    /** {@code data} cut to at most {@link #MAX_DATA_BYTES} bytes of UTF-8 (never inside a character); the same instance when it fits. */
    public static String truncate(String data) {
        if (data == null || data.length() <= MAX_DATA_BYTES / 4) {
            return data;
        }
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_DATA_BYTES) {
            return data;
        }
        int end = MAX_DATA_BYTES;
        // Back off continuation bytes (10xxxxxx) so the cut falls on a character boundary.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    static String withoutCredentials(java.net.URI url) {
        if (url == null) {
            return null;
        }
        return url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "")
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }
}
