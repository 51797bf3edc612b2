package io.herald.core.broker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wire form of an {@link Envelope} on a Redis channel. The channel itself is the Redis
 * channel name and is not repeated.
 *
 * <pre>
 * byte    version: 1 for a message, 2 when a kind byte follows
 * byte    (version 2 only) the {@link Envelope.Kind} ordinal
 * byte    length of messageId, then its ASCII bytes
 * byte    length of excludeSocketId (0 for none), then its ASCII bytes
 * rest    the frame bytes
 * </pre>
 */
public final class EnvelopeCodec {

    static final byte VERSION = 1;
    static final byte VERSION_WITH_KIND = 2;

    private EnvelopeCodec() {
    }

    public static byte[] encode(Envelope envelope) {
        byte[] id = envelope.messageId().getBytes(StandardCharsets.US_ASCII);
        byte[] exclude = envelope.excludeSocketId() == null ? new byte[0]
                : envelope.excludeSocketId().getBytes(StandardCharsets.US_ASCII);
        if (id.length > 255 || exclude.length > 255) {
            throw new IllegalArgumentException("messageId and excludeSocketId must be at most 255 bytes");
        }
        boolean message = envelope.kind() == Envelope.Kind.MESSAGE;
        ByteBuffer out = ByteBuffer.allocate((message ? 3 : 4) + id.length + exclude.length + envelope.frame().length);
        if (message) {
            out.put(VERSION);
        }
        else {
            out.put(VERSION_WITH_KIND).put((byte) envelope.kind().ordinal());
        }
        out.put((byte) id.length).put(id).put((byte) exclude.length).put(exclude).put(envelope.frame());
        return out.array();
    }

    /**
     * @throws IllegalArgumentException when the bytes are not an envelope of a known version
     */
    public static Envelope decode(ChannelKey channel, byte[] bytes) {
        if (bytes.length < 3 || (bytes[0] != VERSION && bytes[0] != VERSION_WITH_KIND)) {
            throw new IllegalArgumentException("Not a Herald envelope (version "
                    + (bytes.length == 0 ? "none" : bytes[0]) + ")");
        }
        Envelope.Kind kind = Envelope.Kind.MESSAGE;
        int idAt = 1;
        if (bytes[0] == VERSION_WITH_KIND) {
            int ordinal = bytes[1] & 0xff;
            if (ordinal >= Envelope.Kind.values().length || bytes.length < 4) {
                throw new IllegalArgumentException("Unknown envelope kind " + ordinal);
            }
            kind = Envelope.Kind.values()[ordinal];
            idAt = 2;
        }
        int idLength = bytes[idAt] & 0xff;
        int excludeAt = idAt + 1 + idLength;
        if (excludeAt >= bytes.length) {
            throw new IllegalArgumentException("Truncated envelope");
        }
        int excludeLength = bytes[excludeAt] & 0xff;
        int frameAt = excludeAt + 1 + excludeLength;
        if (frameAt > bytes.length) {
            throw new IllegalArgumentException("Truncated envelope");
        }
        String id = new String(bytes, idAt + 1, idLength, StandardCharsets.US_ASCII);
        String exclude = excludeLength == 0 ? null
                : new String(bytes, excludeAt + 1, excludeLength, StandardCharsets.US_ASCII);
        return new Envelope(channel, id, exclude, Arrays.copyOfRange(bytes, frameAt, bytes.length), kind);
    }
}
