package io.herald.core.error;

/**
 * The catalogue of Pusher protocol error codes (sent in {@code pusher:error} and used as
 * WebSocket close codes), verbatim from Pusher's protocol documentation.
 *
 * <p>Ranges carry the reconnect advice the official clients follow: 4000–4099 do not
 * reconnect unchanged, 4100–4199 back off and retry, 4200–4299 reconnect immediately.
 */
public enum PusherError {

    SSL_ONLY(4000, "Application only accepts SSL connections, reconnect using wss://"),
    APP_NOT_FOUND(4001, "Application does not exist"),
    APP_DISABLED(4003, "Application disabled"),
    OVER_CONNECTION_QUOTA(4004, "Application is over connection quota"),
    PATH_NOT_FOUND(4005, "Path not found"),
    INVALID_VERSION(4006, "Invalid version string format"),
    UNSUPPORTED_PROTOCOL(4007, "Unsupported protocol version"),
    NO_PROTOCOL(4008, "No protocol version supplied"),
    UNAUTHORIZED(4009, "Connection is unauthorized"),
    OVER_CAPACITY(4100, "Over capacity"),
    RECONNECT(4200, "Generic reconnect immediately"),
    PONG_NOT_RECEIVED(4201, "Pong reply not received"),
    CLOSED_AFTER_INACTIVITY(4202, "Closed after inactivity"),
    CLIENT_EVENT_RATE_LIMIT(4301, "Client event rejected due to rate limit"),
    WATCHLIST_LIMIT(4302, "Watchlist limit exceeded. Only the first 100 user IDs are accepted");

    private final int code;
    private final String message;

    PusherError(int code, String message) {
        this.code = code;
        this.message = message;
    }

    public int code() {
        return code;
    }

    public String message() {
        return message;
    }

    /** Whether the official clients will try again after a close with this code. */
    public boolean reconnects() {
        return code >= 4100;
    }
}
