package io.herald.edge;

import io.netty.util.concurrent.EventExecutor;

/**
 * How frames reach one client: the seam between a connection's Pusher logic
 * ({@link EdgeConnection}) and the wire it happens to use. The WebSocket transport lives in
 * {@code io.herald.edge.web}; HTTP fallback transports will implement the same interface.
 *
 * <p><b>Threading.</b> Every method except {@link #eventLoop()} is called on
 * {@link #eventLoop()} only, by that loop's {@link LoopWriter}: writes to one connection are
 * therefore serialized without a lock, and the fan-out can group the writes of every connection
 * owned by one loop into one task (one wake-up and one flush per connection per loop turn,
 * however many messages the turn carries).
 *
 * <p><b>Buffers.</b> {@link #write} keeps no reference to the frame after it returns except the
 * retained duplicate it hands to the wire; the caller still owns the frame.
 */
public interface Transport {

    /** The event loop that owns this connection's writes; the same for the connection's whole life. */
    EventExecutor eventLoop();

    /**
     * Queues a frame without flushing it.
     *
     * @return {@code false} when the connection is no longer open, so nothing was queued
     */
    boolean write(OutboundFrame frame);

    /** Sends what {@link #write} queued. */
    void flush();

    /** Bytes queued and not yet taken by the operating system (Netty counts a small overhead per frame too). */
    long pendingBytes();

    /** Frames queued and not yet taken by the operating system. */
    int pendingFrames();

    /**
     * Closes with a code and reason after the frames already queued (a client that does not read
     * them is cut off after a bounded grace instead). Idempotent.
     */
    void close(int code, String reason);
}
