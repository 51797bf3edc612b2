package io.herald.edge.web;

import io.herald.edge.OutboundFrame;
import io.herald.edge.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * The WebSocket {@link Transport}: writes the frames to the Netty channel of a connection
 * upgraded by Reactor Netty ({@link PusherWebSocketRoute}) directly, not through
 * {@code WebsocketOutbound.send(Publisher)}.
 *
 * <p>Why directly: the shared {@link OutboundFrame#webSocketFrame()} is the whole WebSocket frame
 * (header included), so each subscriber costs one buffer duplicate and one {@code write} with
 * the channel's void promise, made from the frame encoder's context so it skips the encoder
 * (which would pass it on untouched anyway: {@code WebSocket08FrameEncoder} only encodes
 * {@code WebSocketFrame}s, any other message goes on as it is). No Reactor sink, no {@code WebSocketMessage} or {@code DataBuffer} wrapper and no
 * header encoding per subscriber. Inbound frames arrive through Reactor Netty's inbound
 * ({@link WebSocketConnection}), and closes go through {@code WebsocketOutbound.sendClose}, so
 * Reactor Netty's close handshake is unchanged.
 *
 * <p>Pre-framed bytes are valid only without a WebSocket extension that rewrites frames:
 * Herald's server does not offer permessage-deflate ({@link PusherWebSocketRoute}'s upgrade
 * keeps {@code compress} off), and should a connection ever have an extension encoder, this transport
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

    private final WebsocketOutbound outbound;
    private final Channel channel;
    /**
     * The frame encoder's context: frames are written and flushed from there, so they start at
     * the next handler towards the socket instead of walking the pipeline from its tail and
     * through the encoder's type check (handlers on the tail side, after the upgrade, are Reactor
     * Netty's inbound bridge only). {@code null}: write through the channel.
     */
    private final ChannelHandlerContext encoder;
    private final boolean framesOnly;
    private boolean closing;

    private WebSocketTransport(WebsocketOutbound outbound, Channel channel) {
        this.outbound = outbound;
        this.channel = channel;
        this.framesOnly = channel.pipeline().get(WebSocketExtensionEncoder.class) != null;
        this.encoder = framesOnly ? null : channel.pipeline().context(WebSocketFrameEncoder.class);
        if (framesOnly) {
            log.debug("WebSocket extension negotiated on {}: writing frames, not pre-encoded bytes", channel);
        }
    }

    /** The transport of a connection upgraded by Reactor Netty ({@link PusherWebSocketRoute}). */
    static WebSocketTransport of(WebsocketInbound in, WebsocketOutbound out) {
        Objects.requireNonNull(out, "out");
        Channel[] channel = new Channel[1];
        in.withConnection(c -> channel[0] = c.channel());
        return new WebSocketTransport(out, Objects.requireNonNull(channel[0], "channel"));
    }

    /** Whether this connection gets the shared pre-encoded frames (no extension rewrites its frames). */
    public boolean writesPreEncodedFrames() {
        return !framesOnly;
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
        if (framesOnly) {
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame.payload())), channel.voidPromise());
        }
        else if (encoder != null && !encoder.isRemoved()) {
            encoder.write(frame.webSocketFrame().retainedDuplicate(), channel.voidPromise());
        }
        else {
            channel.write(frame.webSocketFrame().retainedDuplicate(), channel.voidPromise());
        }
        return true;
    }

    @Override
    public void flush() {
        if (encoder != null && !encoder.isRemoved()) {
            encoder.flush();
        }
        else {
            channel.flush();
        }
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
        outbound.sendClose(code, reason).subscribe(null, ex -> { });
        channel.eventLoop().schedule(() -> {
            if (channel.isActive()) {
                log.debug("{} did not take its close within {}; closing the socket", channel, CLOSE_GRACE);
                channel.close();
            }
        }, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
}
