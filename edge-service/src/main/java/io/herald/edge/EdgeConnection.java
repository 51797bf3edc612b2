package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.error.PusherError;
import io.herald.core.protocol.PusherCodec;
import io.micrometer.core.instrument.Counter;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One client connection: its identity, its subscriptions and the Pusher logic of what it is
 * sent. The wire is a {@link Transport} (the WebSocket one in {@code io.herald.edge.web}).
 *
 * <p>Frames are sent from several threads (the connection's own event loop for replies, the
 * fan-out lanes for channel messages, the activity monitor for pings); every write goes through
 * the {@link LoopWriter} of the connection's event loop, so writes are serialized on that loop
 * without a lock and in the order they were sent. Channel messages are written by
 * {@link LocalFanout} in groups per loop ({@link #deliver}).
 *
 * <p><b>Slow consumers.</b> What is queued for the client and not yet taken by the socket is
 * bounded in bytes ({@code herald.edge.max-outbound-bytes}) and in frames
 * ({@code herald.edge.max-outbound-messages}), counted after flushing what the current drain wrote
 * (so a burst of messages in one loop turn is not mistaken for a slow client). A frame that would
 * pass either bound closes the
 * connection with 4100 instead (a frame into an empty queue is always accepted, however large):
 * memory per slow client stays bounded. The frame that did not fit and the frames still queued,
 * which the client will never read, are counted as {@code herald.messages.dropped}
 * ({@link io.herald.core.metrics.HeraldMeters#MESSAGES_DROPPED}).
 */
public final class EdgeConnection {

    private static final AtomicIntegerFieldUpdater<EdgeConnection> ONLINE_RECORD =
            AtomicIntegerFieldUpdater.newUpdater(EdgeConnection.class, "onlineRecord");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<EdgeConnection, Set> WATCHED =
            AtomicReferenceFieldUpdater.newUpdater(EdgeConnection.class, Set.class, "watched");
    private static final AtomicReferenceFieldUpdater<EdgeConnection, ClientEventLimiter> LIMITER =
            AtomicReferenceFieldUpdater.newUpdater(EdgeConnection.class, ClientEventLimiter.class, "clientEvents");

    private final Transport transport;
    private final LoopWriter writer;
    private final long maxOutboundBytes;
    private final int maxOutboundFrames;
    private volatile App app;
    private final String socketId;
    private final Counter dropped;
    /** On the event loop only: written to in the current drain, not yet flushed ({@link LoopWriter}). */
    boolean flushPending;
    /** On the event loop only: frames written since the last flush (Netty counts only flushed ones). */
    int unflushedFrames;
    /** A copy-on-write map: most connections keep one or two channels for hours ({@link SubscriptionMap}). */
    private final Map<String, Subscription> subscriptions = new SubscriptionMap();
    private final SubscriptionChanges subscriptionChanges = new SubscriptionChanges();
    private final long openedNanos;
    /** Created at the first client event: most connections send none. */
    private volatile ClientEventLimiter clientEvents;
    private volatile String userId;
    private volatile boolean authorizedBySubscription;
    /**
     * {@code #online-} channels of the users this connection watches ({@link Watchlists});
     * created when first asked for: only signed-in connections with a watchlist use it.
     */
    private volatile Set<String> watched;
    /** 1 while this connection counts towards its user's online state ({@link Watchlists}). */
    private volatile int onlineRecord;
    private volatile long lastActivityNanos;
    private volatile long pingSentNanos;
    /** No more frames are accepted by {@link #send}. */
    private volatile boolean closed;
    /** No more frames are written: the close was written, or a close dropping queued frames was asked for. */
    private volatile boolean stopped;
    private volatile CloseStatus closeStatus;
    /** The client closed with 4200 (reconnect): it is moving to another node, a gateway draining ({@link EdgeDrain}). */
    private volatile boolean moving;

    /**
     * @param writer the writer of the transport's event loop
     * @param maxOutboundBytes bytes queued for the client beyond which it is closed with 4100
     * @param maxOutboundFrames frames queued for the client beyond which it is closed with 4100
     * @param dropped counts the frames dropped because the client did not read them
     */
    EdgeConnection(Transport transport, LoopWriter writer, App app, String socketId, long maxOutboundBytes,
            int maxOutboundFrames, long nowNanos, Counter dropped) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.writer = Objects.requireNonNull(writer, "writer");
        if (writer.loop() != transport.eventLoop()) {
            throw new IllegalArgumentException("the writer must be the one of the transport's event loop");
        }
        this.maxOutboundBytes = maxOutboundBytes;
        this.maxOutboundFrames = maxOutboundFrames;
        this.dropped = dropped;
        this.app = app;
        this.socketId = socketId;
        this.lastActivityNanos = nowNanos;
        this.openedNanos = nowNanos;
    }

    public App app() {
        return app;
    }

    public String appId() {
        return app.id();
    }

    /** Applies a changed configuration of this connection's app (same id). */
    void updateApp(App changed) {
        this.app = changed;
    }

    public String socketId() {
        return socketId;
    }

    /** The channel names this connection is subscribed to (live view). */
    public Set<String> channels() {
        return subscriptions.keySet();
    }

    /** This connection's subscriptions by channel name (live view). */
    public Map<String, Subscription> subscriptions() {
        return subscriptions;
    }

    /** The queue that runs this connection's subscription changes one at a time per channel. */
    SubscriptionChanges subscriptionChanges() {
        return subscriptionChanges;
    }

    /** The signed-in user's id, or {@code null} before {@code pusher:signin}. */
    public String userId() {
        return userId;
    }

    void signedIn(String userId) {
        this.userId = userId;
    }

    /** A private or presence subscription succeeded: the connection is authorized. */
    void authorizedBySubscription() {
        this.authorizedBySubscription = true;
    }

    /**
     * Signed in, or subscribed to a private or presence channel: what an app that requires
     * authorized connections ({@code userAuthentication}) asks of every connection.
     */
    boolean isAuthorized() {
        return userId != null || authorizedBySubscription;
    }

    Set<String> watched() {
        Set<String> set = watched;
        if (set == null) {
            WATCHED.compareAndSet(this, null, ConcurrentHashMap.newKeySet(1));
            set = watched;
        }
        return set;
    }

    void onlineRecorded() {
        onlineRecord = 1;
    }

    /** Whether this connection counts towards its user's online state now. */
    boolean hasOnlineRecord() {
        return onlineRecord != 0;
    }

    /** Whether this connection counted towards its user's online state; clears it (once true, once). */
    boolean takeOnlineRecord() {
        return ONLINE_RECORD.compareAndSet(this, 1, 0);
    }

    long openedNanos() {
        return openedNanos;
    }

    ClientEventLimiter clientEventLimiter() {
        ClientEventLimiter limiter = clientEvents;
        if (limiter == null) {
            LIMITER.compareAndSet(this, null, new ClientEventLimiter());
            limiter = clientEvents;
        }
        return limiter;
    }

    /** The wire of this connection. */
    Transport transport() {
        return transport;
    }

    /** The writer of this connection's event loop, through which every write goes. */
    LoopWriter writer() {
        return writer;
    }

    /**
     * Queues a frame; from any thread. The array is wrapped, not copied; callers must not modify
     * it afterwards.
     *
     * @return {@code false} when the connection is closed, so the frame was not queued (a frame
     *         queued may still be dropped later, if it finds the client over its bound)
     */
    public boolean send(byte[] frame) {
        if (closed) {
            return false;
        }
        writer.submit(new Send(this, new OutboundFrame(frame)));
        return true;
    }

    /**
     * Writes a shared frame without flushing it; on the event loop only ({@link LoopWriter}
     * flushes once per drain). Checks the outbound bounds first.
     *
     * @return {@code true} when the frame was written, {@code false} when the connection is
     *         closed or was just closed with 4100 for being over its bound
     */
    boolean deliver(OutboundFrame frame) {
        if (stopped) {
            return false;
        }
        int length = frame.payload().length;
        if (overBound(length)) {
            // Writes of this drain are not flushed yet: what counts is what the socket does not take.
            if (flushPending) {
                transport.flush();
                unflushedFrames = 0;
            }
            if (overBound(length)) {
                dropped.increment(1 + transport.pendingFrames() + unflushedFrames);
                close(PusherError.OVER_CAPACITY, "Over capacity: the client is not reading its messages fast enough");
                return false;
            }
        }
        if (!transport.write(frame)) {
            return false;
        }
        unflushedFrames++;
        return true;
    }

    private boolean overBound(int length) {
        long pendingBytes = transport.pendingBytes();
        return pendingBytes > 0 && (pendingBytes + length > maxOutboundBytes
                || transport.pendingFrames() + unflushedFrames >= maxOutboundFrames);
    }

    /**
     * Closes with the error's code: for clients that cannot be written to (not reading, not
     * answering pings). Frames not yet written are dropped; the close is written after those
     * already written (a client that reads none of it is cut off after the transport's grace).
     * Idempotent.
     */
    public void close(PusherError error, String reason) {
        if (closed) {
            return;
        }
        closed = true;
        stopped = true;
        closeStatus = new CloseStatus(error.code(), truncate(reason));
        writer.submit(new Close(this, closeStatus));
    }

    /**
     * Sends {@code pusher:error} with the error's code, then closes with that code once every
     * frame queued before it has been written. Idempotent.
     */
    public void closeAfterFlush(PusherError error, String reason) {
        if (closed) {
            return;
        }
        send(PusherCodec.error(error.code(), reason));
        closed = true;
        closeStatus = new CloseStatus(error.code(), truncate(reason));
        writer.submit(new Close(this, closeStatus));
    }

    /** The status the server closed with, or {@code null}. */
    CloseStatus closeStatus() {
        return closeStatus;
    }

    /** Stops writing after the client went away. */
    void terminate() {
        closed = true;
        stopped = true;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The client closed the connection with 4200 (reconnect), before it was released. */
    void moving() {
        moving = true;
    }

    /**
     * The client closed with 4200 (reconnect) itself: it is moving (a gateway that drains tells its
     * clients so), and its channel-state leaves wait for the handover as when this node drains.
     */
    public boolean isMoving() {
        return moving;
    }

    void touch(long nowNanos) {
        lastActivityNanos = nowNanos;
        pingSentNanos = 0;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    long pingSentNanos() {
        return pingSentNanos;
    }

    void pingSent(long nowNanos) {
        pingSentNanos = nowNanos;
    }

    /** Close reasons are limited to 123 bytes by RFC 6455. */
    private static String truncate(String reason) {
        return reason.length() <= 120 ? reason : reason.substring(0, 120);
    }

    @Override
    public String toString() {
        return "EdgeConnection[app=" + app.id() + ", socket=" + socketId + "]";
    }

    /** One frame to this connection alone (a reply, a ping, an error). */
    private static final class Send extends LoopWriter.Item {

        private final EdgeConnection connection;
        private final OutboundFrame frame;

        Send(EdgeConnection connection, OutboundFrame frame) {
            this.connection = connection;
            this.frame = frame;
        }

        @Override
        protected void run(LoopWriter writer) {
            try {
                if (connection.deliver(frame)) {
                    writer.written(connection);
                }
            }
            finally {
                frame.release();
            }
        }

        @Override
        protected void discard() {
            frame.release();
        }
    }

    /** The close, queued behind everything sent before it. */
    private static final class Close extends LoopWriter.Item {

        private final EdgeConnection connection;
        private final CloseStatus status;

        Close(EdgeConnection connection, CloseStatus status) {
            this.connection = connection;
            this.status = status;
        }

        @Override
        protected void run(LoopWriter writer) {
            connection.stopped = true;
            connection.transport.close(status.code(), status.reason());
        }
    }
}
