package io.herald.core.broker;

import java.util.Objects;

/**
 * What travels between a publisher and the edge nodes for one channel message.
 *
 * <p>{@code frame} is the exact UTF-8 Pusher frame every subscriber receives: it is encoded once
 * by the publisher and written unchanged to every socket. Callers must not modify the array.
 *
 * @param channel the app and channel the message is for
 * @param messageId an id unique per publish, for logs and de-duplication
 * @param excludeSocketId the socket that must not receive it (the {@code socket_id} of the
 *        publish request), or {@code null}
 * @param frame the encoded frame
 */
public record Envelope(ChannelKey channel, String messageId, String excludeSocketId, byte[] frame) {

    public Envelope {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(frame, "frame");
    }
}
