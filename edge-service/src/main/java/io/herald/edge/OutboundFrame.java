package io.herald.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AbstractReferenceCounted;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One frame for clients, shared by every local subscriber it goes to: the Pusher JSON text,
 * encoded once by the publisher, and, made on first use and then shared, the whole WebSocket
 * frame (header included) in one buffer. Transports that speak something else (HTTP fallbacks)
 * take {@link #payload()} and never cause the WebSocket encoding.
 *
 * <p>Reference counted as Netty's own buffers are ({@link AbstractReferenceCounted}): it starts
 * owned by its creator, {@code retain()} and {@code release()} are thread-safe, and the last
 * release frees the WebSocket buffer. The payload array must not
 * be modified once it is handed over.
 */
public final class OutboundFrame extends AbstractReferenceCounted {

    private static final VarHandle WEB_SOCKET;

    static {
        try {
            WEB_SOCKET = MethodHandles.lookup().findVarHandle(OutboundFrame.class, "webSocket", ByteBuf.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** WebSocket opcode byte of a final text frame (FIN + opcode 1); server frames are never masked (RFC 6455 5.1). */
    private static final int FIN_TEXT = 0x81;

    private final byte[] payload;
    @SuppressWarnings("unused") // set through WEB_SOCKET
    private volatile ByteBuf webSocket;

    public OutboundFrame(byte[] payload) {
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** The Pusher frame's JSON text (UTF-8), as the client receives it. */
    public byte[] payload() {
        return payload;
    }

    /**
     * The whole WebSocket text frame, made once and shared: callers write a
     * {@code retainedDuplicate()} of it (each write needs its own reader index) and never change
     * it. Lock-free: two threads asking at once may both encode, one keeps its buffer, the other
     * frees its own.
     */
    public ByteBuf webSocketFrame() {
        ByteBuf existing = webSocket;
        if (existing != null) {
            return existing;
        }
        ByteBuf encoded = encodeWebSocket(ByteBufAllocator.DEFAULT, payload);
        if (WEB_SOCKET.compareAndSet(this, null, encoded)) {
            return encoded;
        }
        encoded.release();
        return webSocket;
    }

    /**
     * Encodes an unmasked, unfragmented WebSocket text frame: {@code 0x81}, the payload length
     * (7 bits, or 126 + 16 bits, or 127 + 64 bits) and the payload, in one direct buffer so that
     * the socket write needs no copy.
     */
    public static ByteBuf encodeWebSocket(ByteBufAllocator allocator, byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        ByteBuf frame = allocator.directBuffer(header + length, header + length);
        frame.writeByte(FIN_TEXT);
        if (length < 126) {
            frame.writeByte(length);
        }
        else if (length < 65_536) {
            frame.writeByte(126);
            frame.writeShort(length);
        }
        else {
            frame.writeByte(127);
            frame.writeLong(length);
        }
        frame.writeBytes(payload);
        return frame;
    }

    /** The last release: frees the WebSocket buffer, if it was made. */
    @Override
    protected void deallocate() {
        ByteBuf encoded = (ByteBuf) WEB_SOCKET.getAndSet(this, null);
        if (encoded != null) {
            encoded.release();
        }
    }

    @Override
    public OutboundFrame touch(Object hint) {
        return this;
    }
}
