package io.herald.edge;

/**
 * What a transport tells a connection's Pusher logic: the client's frames and how the connection
 * ended. The other half of {@link Transport} (which carries frames to the client); the WebSocket
 * one lives in {@code io.herald.edge.web}, HTTP fallback transports will use the same pair.
 *
 * <p>Why a callback and not a {@code Flux} of frames: it is one small object per connection,
 * where an operator chain per connection cost ~50 objects of heap for as long as the connection
 * was idle.
 *
 * <p><b>Threading.</b> Calls for one connection never overlap and come in this order: any number
 * of {@link #text}, {@link #binary} and {@link #pong}, then {@link #ended} once, then {@link #closed} once.
 */
public interface Inbound {

    /** A text frame (a whole message: fragments are joined by the transport). */
    void text(String frame);

    /** A binary frame, which Pusher does not use. */
    void binary();

    /** A WebSocket pong: no content, but the client is there. */
    void pong();

    /**
     * No frame comes any more: the connection is released (subscriptions, sign-in, registry).
     *
     * @param clientCloseCode the code of the close frame the client sent, when the transport knows
     *        it by then (the client's close ended the inbound side); otherwise 0. A client's 4200
     *        (reconnect; a gateway that drains) marks the connection as moving ({@link EdgeDrain})
     */
    void ended(int clientCloseCode);

    /**
     * The close status the connection ended with, as the transport saw it: the close frame the
     * client sent or answered, the code a broken frame called for (1009 for a frame over the
     * limit), or 1006 when it ended without a close frame. A close the server asked for
     * ({@link EdgeConnection#close}) takes precedence.
     */
    void closed(int code, String reason);
}
