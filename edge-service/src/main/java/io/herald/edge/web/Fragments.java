package io.herald.edge.web;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fragments of one inbound WebSocket message received so far ({@link WebSocketConnection}
 * joins them): the bytes of a text message, only the length of a binary one (Herald answers a
 * binary message with an error, whatever it holds). On the connection's event loop only.
 *
 * <p>Why not Netty's {@code WebSocketFrameAggregator}: it is a handler of its own in every
 * connection's pipeline (about 110 bytes with its context, kept for the connection's life),
 * while nearly every client sends each message in one frame; this exists only while a
 * fragmented message is being received.
 */
final class Fragments {

    private final boolean text;
    private byte[] bytes;
    private int length;

    Fragments(boolean text) {
        this.text = text;
    }

    boolean isText() {
        return text;
    }

    /**
     * Adds a fragment's payload.
     *
     * @param max the largest message, in bytes, fragments joined
     * @return {@code false} when the message would pass {@code max}: nothing was added
     */
    boolean add(ByteBuf payload, int max) {
        int n = payload.readableBytes();
        if (n > max - length) {
            return false;
        }
        if (text) {
            if (bytes == null) {
                bytes = new byte[Math.max(n, 64)];
            }
            else if (bytes.length - length < n) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(max, Math.max((long) bytes.length * 2, length + n)));
            }
            payload.getBytes(payload.readerIndex(), bytes, length, n);
        }
        length += n;
        return true;
    }

    /** The joined text (invalid UTF-8 becomes U+FFFD, as Netty's {@code TextWebSocketFrame.text()} decodes). */
    String joinedText() {
        return bytes == null ? "" : new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
