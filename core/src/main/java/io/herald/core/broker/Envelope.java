package io.herald.core.broker;

import java.util.Objects;

/**
 * What travels between a publisher and the edge nodes for one channel message.
 *
 * <p>{@code frame} is the exact UTF-8 Pusher frame every subscriber receives: it is encoded once
 * by the publisher and written unchanged to every socket. Callers must not modify the array.
 *
 * <p>A {@link Kind#TERMINATE_USER} envelope is a command, not a message: it goes to a user's
 * {@code #server-to-user-{id}} channel, carries no frame to deliver, and makes every edge close
 * that user's connections.
 *
 * @param channel the app and channel the message is for
 * @param messageId an id unique per publish, for logs and de-duplication
 * @param excludeSocketId the socket that must not receive it (the {@code socket_id} of the
 *        publish request), or {@code null}
 * @param frame the encoded frame (empty for commands)
 * @param kind a message to deliver, or a command
 */
public record Envelope(ChannelKey channel, String messageId, String excludeSocketId, byte[] frame, Kind kind) {

    public Envelope {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(kind, "kind");
    }

    /** A message to deliver to the channel's subscribers. */
    public Envelope(ChannelKey channel, String messageId, String excludeSocketId, byte[] frame) {
        this(channel, messageId, excludeSocketId, frame, Kind.MESSAGE);
    }

    /** The command that closes every connection of a user ({@code terminate_connections}). */
    public static Envelope terminateUser(ChannelKey userChannel, String messageId) {
        return new Envelope(userChannel, messageId, null, new byte[0], Kind.TERMINATE_USER);
    }

    /** What an envelope asks of the edges. */
    public enum Kind {
        /** Deliver {@code frame} to every subscriber but the excluded socket. */
        MESSAGE,
        /** Close the connections of the user whose {@code #server-to-user-} channel this is. */
        TERMINATE_USER
    }
}
