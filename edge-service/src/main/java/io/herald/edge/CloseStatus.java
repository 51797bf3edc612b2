package io.herald.edge;

/**
 * The code and reason a connection was closed with (RFC 6455, section 7.4, plus Pusher's
 * 4000–4999 range): what the server closed with, or what the wire reported.
 *
 * @param reason the reason text, possibly empty, never {@code null}
 */
public record CloseStatus(int code, String reason) {

    public CloseStatus {
        reason = reason == null ? "" : reason;
    }
}
