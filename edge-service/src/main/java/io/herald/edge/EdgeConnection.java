package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.error.PusherError;
import io.herald.core.protocol.PusherCodec;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One client WebSocket connection: its identity, its subscriptions and its bounded outbound
 * queue.
 *
 * <p>Frames are queued from several threads (the connection's own event loop for replies, the
 * broker's I/O thread for channel messages, the activity monitor for pings); emission is
 * serialized on this object. The queue holds at most {@code maxOutbound} frames: when a client
 * stops reading, Netty stops draining the queue, the queue fills, and the connection is closed
 * with 4100 — memory per slow client stays bounded. The frame that did not fit and the frames
 * left in the queue, which the close discards, are counted as {@code herald.messages.dropped}
 * ({@link io.herald.core.metrics.HeraldMeters#MESSAGES_DROPPED}); frames Netty already holds are
 * not.
 */
public final class EdgeConnection {

    private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

    private final WebSocketSession session;
    private volatile App app;
    private final String socketId;
    private final Sinks.Many<WebSocketMessage> outbound;
    /** The sink's buffer, kept to count what an overflow drops. */
    private final Queue<WebSocketMessage> queued;
    private final Counter dropped;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final SubscriptionChanges subscriptionChanges = new SubscriptionChanges();
    private final long openedNanos;
    private final ClientEventLimiter clientEvents;
    private volatile String userId;
    private volatile boolean authorizedBySubscription;
    /** {@code #online-} channels of the users this connection watches ({@link Watchlists}). */
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    /** Set while this connection counts towards its user's online state ({@link Watchlists}). */
    private final java.util.concurrent.atomic.AtomicBoolean onlineRecord = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long lastActivityNanos;
    private volatile long pingSentNanos;
    private volatile boolean closed;
    private volatile CloseStatus closeStatus;

    /** @param dropped counts the frames dropped because the outbound queue overflowed */
    EdgeConnection(WebSocketSession session, App app, String socketId, int maxOutbound, long nowNanos,
            Counter dropped) {
        this.session = session;
        this.dropped = dropped;
        this.app = app;
        this.socketId = socketId;
        this.queued = Queues.<WebSocketMessage>get(maxOutbound).get();
        this.outbound = Sinks.many().unicast().onBackpressureBuffer(queued);
        this.lastActivityNanos = nowNanos;
        this.openedNanos = nowNanos;
        this.clientEvents = new ClientEventLimiter();
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
        return watched;
    }

    void onlineRecorded() {
        onlineRecord.set(true);
    }

    /** Whether this connection counts towards its user's online state now. */
    boolean hasOnlineRecord() {
        return onlineRecord.get();
    }

    /** Whether this connection counted towards its user's online state; clears it (once true, once). */
    boolean takeOnlineRecord() {
        return onlineRecord.compareAndSet(true, false);
    }

    long openedNanos() {
        return openedNanos;
    }

    ClientEventLimiter clientEventLimiter() {
        return clientEvents;
    }

    Flux<WebSocketMessage> outbound() {
        return outbound.asFlux();
    }

    /**
     * Queues a frame. The array is wrapped, not copied, so one encoded frame can be shared by
     * every subscriber; callers must not modify it afterwards.
     *
     * @return {@code false} when the frame was not queued: the connection is closed, or its
     *         queue is full, in which case the connection is being closed with 4100
     */
    public boolean send(byte[] frame) {
        if (closed) {
            return false;
        }
        WebSocketMessage message = new WebSocketMessage(WebSocketMessage.Type.TEXT,
                BUFFERS.wrap(Unpooled.wrappedBuffer(frame)));
        Sinks.EmitResult result;
        int waiting = 0;
        synchronized (this) {
            result = outbound.tryEmitNext(message);
            if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
                waiting = queued.size();
            }
        }
        if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
            dropped.increment(1 + waiting);
            close(PusherError.OVER_CAPACITY, "Over capacity: the client is not reading its messages fast enough");
            return false;
        }
        return result.isSuccess();
    }

    /**
     * Closes now with the error's code, dropping queued frames: for clients that cannot be
     * written to (not reading, not answering pings). Idempotent.
     */
    public void close(PusherError error, String reason) {
        if (closed) {
            return;
        }
        closed = true;
        closeStatus = new CloseStatus(error.code(), truncate(reason));
        synchronized (this) {
            outbound.tryEmitComplete();
        }
        // The peer may already be gone; there is nobody left to tell.
        session.close(closeStatus).subscribe(null, ex -> { });
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
        synchronized (this) {
            outbound.tryEmitComplete();
        }
    }

    /** The status to close with once the outbound queue is drained, or {@code null}. */
    CloseStatus closeStatus() {
        return closeStatus;
    }

    /** Completes the outbound side after the client went away. */
    void terminate() {
        closed = true;
        synchronized (this) {
            outbound.tryEmitComplete();
        }
    }

    public boolean isClosed() {
        return closed;
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
}
