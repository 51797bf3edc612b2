package io.herald.edge.web;

import io.herald.core.app.App;
import io.herald.core.error.PusherError;
import io.herald.core.protocol.PusherCodec;
import io.herald.edge.CloseStatus;
import io.herald.edge.Inbound;
import io.herald.edge.PusherSessions;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * One upgraded WebSocket connection of {@link PusherWebSocketRoute}: checks the handshake as
 * Pusher does, then carries the client's frames to the connection's {@link Inbound}.
 *
 * <p>It is the {@code Mono} Reactor Netty holds for the connection's life (the connection is
 * closed when it completes) and the subscriber of the inbound frames at once: one object per
 * connection instead of an operator chain, which an idle connection would keep for hours.
 *
 * <p>The checks, each failure answered with {@code pusher:error} and a close with the documented
 * code: a path other than {@code /app/{key}} (4005), no protocol (4008), a protocol that is not a
 * number (4006), an unsupported protocol (4007), an unknown key (4001), a disabled app (4003), an
 * app at its {@code maxConnections} (4004). While auth-service is unreachable the app store
 * answers from the last known view of the app ({@code herald.auth.max-staleness}); when it cannot
 * (an app never seen, or seen too long ago), the connection is closed with 4100 so that clients
 * retry with back-off. Refusals are counted with their code, accepted connections when they end.
 */
final class WebSocketConnection extends Mono<Void> implements CoreSubscriber<Object>, Subscription,
        ChannelFutureListener {

    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

    /** Bounds the wait for the close status once the inbound side has ended (it is known by then; this guards the count). */
    private static final Duration CLOSE_STATUS_WAIT = Duration.ofSeconds(1);

    private static final AtomicIntegerFieldUpdater<WebSocketConnection> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketConnection.class, "ended");
    private static final AtomicIntegerFieldUpdater<WebSocketConnection> COMPLETED =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketConnection.class, "completed");

    private final PusherWebSocketRoute route;
    private final WebsocketInbound in;
    private final WebsocketOutbound out;
    /** Until checked: the decoded key ({@code null}: wrong path) and the raw {@code protocol} parameter. */
    private String key;
    private String protocol;
    private CoreSubscriber<? super Void> actual;
    private volatile Subscription frames;
    private Inbound inbound;
    /** On the event loop only: the message whose fragments are being received, or {@code null}. */
    private Fragments fragments;
    /** The app holding a connection of its quota, released when the connection ends; or {@code null}. */
    private String quotaAppId;
    /** Set once: the connection was released (or refused). */
    private volatile int ended;
    private volatile boolean cancelled;
    /** Set once: Reactor Netty was told the connection is over. */
    private volatile int completed;

    WebSocketConnection(PusherWebSocketRoute route, WebsocketInbound in, WebsocketOutbound out, String key,
            String protocol) {
        this.route = route;
        this.in = in;
        this.out = out;
        this.key = key;
        this.protocol = protocol;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        this.actual = actual;
        actual.onSubscribe(this);
        dropHandshakeHeaders();
        check();
    }

    /**
     * Empties the upgrade request's and response's headers: the handshake has been answered
     * (Reactor Netty calls the route's handler after that) and nothing reads them again, but
     * Reactor Netty's connection keeps both for the connection's life — about 1.3 KiB per idle
     * connection (a dozen header entries with their names and values).
     */
    private void dropHandshakeHeaders() {
        if (in instanceof HttpServerRequest request) {
            request.requestHeaders().clear();
        }
        if (out instanceof HttpServerResponse response) {
            response.responseHeaders().clear();
        }
    }

    private void check() {
        String key = this.key;
        String protocol = this.protocol;
        this.key = null;
        this.protocol = null;
        if (key == null) {
            refuse(PusherError.PATH_NOT_FOUND, PusherError.PATH_NOT_FOUND.message());
            return;
        }
        if (protocol == null || protocol.isEmpty()) {
            refuse(PusherError.NO_PROTOCOL, PusherError.NO_PROTOCOL.message());
            return;
        }
        int version;
        try {
            version = Integer.parseInt(protocol);
        }
        catch (NumberFormatException ex) {
            refuse(PusherError.INVALID_VERSION, PusherError.INVALID_VERSION.message());
            return;
        }
        if (version < route.minProtocol || version > route.maxProtocol) {
            refuse(PusherError.UNSUPPORTED_PROTOCOL, PusherError.UNSUPPORTED_PROTOCOL.message() + ": " + version
                    + "; supported are " + route.minProtocol + " to " + route.maxProtocol);
            return;
        }
        // The lookup's operators are gone once it answered: only this object stays with the connection.
        route.apps.findByKey(key).map(Optional::of).defaultIfEmpty(Optional.empty()).subscribe(app -> {
            if (app.isPresent()) {
                found(app.get());
            }
            else {
                log.debug("Refused a connection for unknown key {}", key);
                refuse(PusherError.APP_NOT_FOUND, PusherError.APP_NOT_FOUND.message() + ": no app has the key " + key);
            }
        }, ex -> unavailable(key, ex));
    }

    /** The app store (auth-service, for an edge in a cluster) cannot answer: the documented "back off and retry" range. */
    private void unavailable(String key, Throwable ex) {
        // Debug only: the app store logs the outage once (CachingAppStore), not once per connection.
        log.debug("Could not look up the app of key {}: {}", key, ex.toString());
        refuse(PusherError.OVER_CAPACITY, "Temporarily unable to check the application; retry");
    }

    private void found(App app) {
        if (!app.enabled()) {
            refuse(PusherError.APP_DISABLED, PusherError.APP_DISABLED.message());
            return;
        }
        int limit = app.limits().maxConnections();
        if (route.quota == null || limit <= 0) {
            accept(app);
            return;
        }
        route.quota.open(app.id(), limit).subscribe(taken -> {
            if (taken) {
                quotaAppId = app.id();
                accept(app);
            }
            else {
                refuse(PusherError.OVER_CONNECTION_QUOTA, PusherError.OVER_CONNECTION_QUOTA.message() + " ("
                        + limit + " concurrent connections)");
            }
        }, ex -> unavailable(app.key(), ex));
    }

    private void accept(App app) {
        inbound = route.sessions.open(WebSocketTransport.of(in, out), app);
        // The socket's close ends the connection even when the inbound side never completes:
        // once a close was sent, Reactor Netty disposes of the inbound without telling its
        // subscriber, and a client that does not read its close is cut off by the socket alone.
        in.withConnection(connection -> connection.channel().closeFuture().addListener(this));
        // Fragmented messages are joined here (onNext), up to the frame limit, as Spring's session
        // joined them: without Netty's aggregator, a handler every connection would keep.
        in.receiveObject().subscribe(this);
    }

    /** Sends {@code pusher:error} with the code, then closes with it, as Pusher does; counted with its code. */
    private void refuse(PusherError error, String message) {
        int code = error.code();
        String json = new String(PusherCodec.error(code, message), StandardCharsets.UTF_8);
        out.sendObject(new TextWebSocketFrame(json)).then()
                .then(out.sendClose(code, error.message()))
                .subscribe(null, ex -> refused(code), () -> refused(code));
    }

    private void refused(int code) {
        route.sessions.closes().count(code);
        if (ENDED.compareAndSet(this, 0, 1)) {
            complete();
        }
    }

    @Override
    public void onSubscribe(Subscription s) {
        frames = s;
        if (cancelled) {
            // Reactor Netty gave up on the connection while its app was being looked up.
            s.cancel();
            end(null);
            return;
        }
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Object frame) {
        // Reactor Netty releases the frame when this returns. Frames decoded after this connection
        // ended itself (a message over the limit, below) belong to nobody: the session is released.
        if (ended != 0) {
            return;
        }
        if (frame instanceof WebSocketFrame part && (!part.isFinalFragment() || part instanceof ContinuationWebSocketFrame)) {
            fragment(part);
        }
        else if (frame instanceof TextWebSocketFrame text) {
            inbound.text(text.text());
        }
        else if (frame instanceof BinaryWebSocketFrame) {
            inbound.binary();
        }
        else if (frame instanceof PongWebSocketFrame) {
            inbound.pong();
        }
    }

    /**
     * A fragment of a message: joined with the others; the message is handled once its last
     * fragment came. Netty's decoder already closed (1002) a connection whose fragments come out
     * of order, so a continuation with no message started is one after a refused message.
     */
    private void fragment(WebSocketFrame part) {
        if (!(part instanceof ContinuationWebSocketFrame)) {
            fragments = new Fragments(part instanceof TextWebSocketFrame);
        }
        Fragments message = fragments;
        if (message == null) {
            return;
        }
        if (!message.add(part.content(), route.maxFramePayload)) {
            fragments = null;
            tooBig();
            return;
        }
        if (part.isFinalFragment()) {
            fragments = null;
            if (message.isText()) {
                inbound.text(message.joinedText());
            }
            else {
                inbound.binary();
            }
        }
    }

    /**
     * A message over the frame limit, fragments joined: closed with 1009 and counted with it,
     * as Netty's decoder closes a single frame over the limit.
     */
    private void tooBig() {
        String reason = "Max message length of " + route.maxFramePayload + " has been exceeded.";
        out.sendClose(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), reason).subscribe(null, ex -> { });
        onError(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, reason));
    }

    @Override
    public void onError(Throwable error) {
        log.debug("Connection {} ended with an error: {}", inbound, error.toString());
        end(error);
        complete();
    }

    @Override
    public void onComplete() {
        end(null);
        complete();
    }

    /**
     * The socket closed. Handled after what the closing event still delivers to the inbound
     * side: Netty's decoder closes the socket for an oversized frame and only then raises the
     * error whose code (1009) the close is counted with.
     */
    @Override
    public void operationComplete(ChannelFuture future) {
        future.channel().eventLoop().execute(this::socketClosed);
    }

    private void socketClosed() {
        end(null);
        complete();
    }

    private void complete() {
        if (!cancelled && COMPLETED.compareAndSet(this, 0, 1)) {
            actual.onComplete();
        }
    }

    /** Reactor Netty's side: its subscription to this connection. Everything is pushed; nothing to count. */
    @Override
    public void request(long n) {
    }

    @Override
    public void cancel() {
        cancelled = true;
        Subscription s = frames;
        if (s != null) {
            s.cancel();
            end(null);
        }
    }

    /**
     * The code of the close frame the client sent, when already received (the client's close ends
     * the inbound side, so it is known by then), else 0. Read at once: a value not yet there is
     * left to {@link #end}'s wait.
     */
    private int receivedCloseCode() {
        int[] code = { 0 };
        in.receiveCloseStatus().subscribe(status -> code[0] = status.code(), ex -> { }).dispose();
        return code[0];
    }

    private void end(Throwable error) {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            return;
        }
        Inbound target = inbound;
        try {
            target.ended(error == null ? receivedCloseCode() : 0);
        }
        finally {
            if (quotaAppId != null) {
                route.quota.close(quotaAppId);
            }
        }
        if (error instanceof CorruptedWebSocketFrameException corrupted) {
            target.closed(corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
            return;
        }
        in.receiveCloseStatus()
                .timeout(CLOSE_STATUS_WAIT, Mono.empty())
                .onErrorResume(ex -> Mono.empty())
                .map(status -> new CloseStatus(status.code(), status.reasonText()))
                // Not WebSocketCloseStatus: it refuses the codes that must not be sent, 1006 among them.
                .defaultIfEmpty(new CloseStatus(PusherSessions.NO_CLOSE_FRAME, null))
                .subscribe(status -> target.closed(status.code(), status.reason()));
    }
}
