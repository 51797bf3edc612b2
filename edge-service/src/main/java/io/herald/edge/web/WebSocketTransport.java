package io.herald.edge.web;

import io.herald.edge.OutboundFrame;
import io.herald.edge.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.util.concurrent.EventExecutor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;

/**
 * The WebSocket {@link Transport}: writes the frames to the Netty channel under Spring's Reactor
 * Netty WebSocket session directly, not through {@code session.send(Publisher)}.
 *
 * <p>Why directly: the shared {@link OutboundFrame#webSocketFrame()} is the whole WebSocket frame
 * (header included), so each subscriber costs one buffer duplicate and one {@code write} with
 * the channel's void promise, and its bytes pass through {@code WebSocket08FrameEncoder}
 * untouched (that encoder only encodes {@code WebSocketFrame}s; any other message goes on as
 * it is). No Reactor sink, no {@code WebSocketMessage} or {@code DataBuffer} wrapper and no
 * header encoding per subscriber. Inbound frames still arrive through {@code session.receive()},
 * and closes go through {@code session.close}, so Reactor Netty's close handshake is unchanged.
 *
 * <p>Pre-framed bytes are valid only without a WebSocket extension that rewrites frames:
 * Herald's server does not offer permessage-deflate (Spring's Reactor Netty upgrade keeps
 * {@code compress} off), and should a connection ever have an extension encoder, this transport
 * writes {@code TextWebSocketFrame}s instead, which the encoders then handle.
 */
public final class WebSocketTransport implements Transport {

    private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

    /**
     * How long a close may wait behind frames the client does not read before the socket is
     * closed without it: without this a client that stopped reading would hold its queued bytes
     * until TCP gives up.
     */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final WebSocketSession session;
    private final Channel channel;
    private final boolean framesOnly;
    private boolean closing;

    private WebSocketTransport(WebSocketSession session, Channel channel) {
        this.session = session;
        this.channel = channel;
        this.framesOnly = channel.pipeline().get(WebSocketExtensionEncoder.class) != null;
        if (framesOnly) {
            log.debug("WebSocket extension negotiated on {}: writing frames, not pre-encoded bytes", channel);
        }
    }

    /** The transport of a session served by Reactor Netty (the only WebSocket server Herald runs on). */
    public static WebSocketTransport of(WebSocketSession session) {
        Objects.requireNonNull(session, "session");
        if (!(session instanceof ReactorNettyWebSocketSession netty)) {
            throw new IllegalArgumentException("Herald's WebSocket transport needs Reactor Netty, got "
                    + session.getClass().getName());
        }
        Channel[] channel = new Channel[1];
        ReactorNettyWebSocketSession.WebSocketConnection connection;
        try {
            connection = (ReactorNettyWebSocketSession.WebSocketConnection) DELEGATE.invoke(netty);
        }
        catch (Throwable ex) {
            throw new IllegalStateException("Cannot reach the Netty channel of " + session, ex);
        }
        connection.getInbound().withConnection(c -> channel[0] = c.channel());
        return new WebSocketTransport(session, Objects.requireNonNull(channel[0], "channel"));
    }

    /**
     * {@code AbstractWebSocketSession.getDelegate()}, which Spring keeps protected: the only way
     * from the session Spring hands the handler to Reactor Netty's connection (and its channel)
     * without replacing Spring's upgrade strategy. Looked up once; a Spring upgrade that removed
     * it fails here at class initialization, loudly, not per connection.
     */
    private static final MethodHandle DELEGATE;

    static {
        try {
            DELEGATE = MethodHandles.privateLookupIn(AbstractWebSocketSession.class, MethodHandles.lookup())
                    .findVirtual(AbstractWebSocketSession.class, "getDelegate", MethodType.methodType(Object.class));
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** The pipeline's handler names, for tests and diagnostics. */
    Map<String, io.netty.channel.ChannelHandler> pipeline() {
        return channel.pipeline().toMap();
    }

    @Override
    public EventExecutor eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public boolean write(OutboundFrame frame) {
        if (closing || !channel.isActive()) {
            return false;
        }
        Object message = framesOnly ? new TextWebSocketFrame(Unpooled.wrappedBuffer(frame.payload()))
                : frame.webSocketFrame().retainedDuplicate();
        channel.write(message, channel.voidPromise());
        return true;
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    public int pendingFrames() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.size();
    }

    @Override
    public void close(int code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        // The peer may already be gone; there is nobody left to tell.
        session.close(new CloseStatus(code, reason)).subscribe(null, ex -> { });
        channel.eventLoop().schedule(() -> {
            if (channel.isActive()) {
                log.debug("{} did not take its close within {}; closing the socket", channel, CLOSE_GRACE);
                channel.close();
            }
        }, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
}
