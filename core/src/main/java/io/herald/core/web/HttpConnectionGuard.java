package io.herald.core.web;

import io.herald.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards one HTTP/1.1 server connection against slow and hostile clients, in two Netty handlers
 * around Reactor Netty's HTTP codec: the one in front sees the first byte of a request, the one
 * behind sees the decoded request and the response.
 *
 * <ul>
 * <li>Idle: a connection that sends no request for {@code idle-timeout} (after it opened, or after
 * its last exchange: the request read and the response written) is closed.</li>
 * <li>Header read: a request whose line and headers are not complete {@code header-read-timeout}
 * after its first byte is answered 408 and the connection closed, so a client that trickles
 * headers holds a connection for a bounded time.</li>
 * <li>Decoder refusals: a request line over {@code server.netty.max-initial-line-length} (414),
 * headers over {@code server.max-http-request-header-size} (431) or an unparseable request (400)
 * are answered here, with Herald's JSON error body ({@link ApiErrorResponses#body}), where
 * Reactor Netty would answer with an empty body.</li>
 * </ul>
 *
 * <p>Once a response with status 101 is written (a WebSocket upgrade), both handlers leave the
 * pipeline: a WebSocket is long-lived and idle by design, and the edge watches it with Pusher's
 * own activity check. Timers run on the connection's event loop; nothing here blocks.
 */
public final class HttpConnectionGuard {

    private static final Logger log = LoggerFactory.getLogger(HttpConnectionGuard.class);

    /** The pipeline name of the handler behind the codec. */
    public static final String NAME = "herald.httpGuard";
    /** The pipeline name of the handler in front of the codec. */
    public static final String FRONT_NAME = "herald.httpGuardFront";

    private enum State { IDLE, HEADERS, REQUEST, DONE }

    private final long headerReadTimeoutMillis;
    private final long idleTimeoutMillis;
    private State state = State.IDLE;
    /** In {@link State#REQUEST}: the request's last content was read; the response's was written. */
    private boolean requestRead;
    private boolean responseWritten;
    private ScheduledFuture<?> timer;
    private ChannelHandlerContext back;

    private HttpConnectionGuard(HttpServerProperties properties) {
        this.headerReadTimeoutMillis = properties.headerReadTimeout().toMillis();
        this.idleTimeoutMillis = properties.idleTimeout().toMillis();
    }

    /**
     * Installs the guard around the HTTP codec named {@code codecName} of a new connection's
     * pipeline; does nothing when the pipeline has no such codec (e.g. HTTP/2).
     */
    public static void install(Channel channel, String codecName, HttpServerProperties properties) {
        Objects.requireNonNull(properties, "properties");
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(codecName) == null) {
            return;
        }
        HttpConnectionGuard guard = new HttpConnectionGuard(properties);
        pipeline.addBefore(codecName, FRONT_NAME, guard.new Front());
        pipeline.addAfter(codecName, NAME, guard.new Back());
    }

    private void arm(long millis, Runnable onTimeout) {
        disarm();
        timer = back.executor().schedule(onTimeout, millis, TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void idle() {
        state = State.IDLE;
        arm(idleTimeoutMillis, () -> {
            if (state == State.IDLE) {
                log.debug("Closing {}: no request within the idle timeout", back.channel());
                state = State.DONE;
                back.close();
            }
        });
    }

    private void headersStarted() {
        state = State.HEADERS;
        arm(headerReadTimeoutMillis, () -> {
            if (state == State.HEADERS) {
                log.debug("Closing {}: request headers not complete within the header-read timeout", back.channel());
                refuse(ApiError.REQUEST_TIMEOUT, "Request headers not received within "
                        + headerReadTimeoutMillis + " ms");
            }
        });
    }

    /** Answers with Herald's error body and closes the connection once it is written. */
    private void refuse(ApiError error, String message) {
        disarm();
        state = State.DONE;
        HttpResponseStatus status = HttpResponseStatus.valueOf(error.status());
        ByteBuf body = Unpooled.wrappedBuffer(ApiErrorResponses.body(message, status.code()));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        back.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void leave(ChannelPipeline pipeline) {
        disarm();
        state = State.DONE;
        pipeline.remove(FRONT_NAME);
        pipeline.remove(NAME);
    }

    /** In front of the codec: the first byte of a request starts the header-read clock. */
    private final class Front extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (state == State.DONE) {
                // Refused: whatever else the client sends is not read.
                ReferenceCountUtil.release(msg);
                return;
            }
            if (state == State.IDLE && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                headersStarted();
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Behind the codec: sees the decoded request, and the response on its way out. */
    private final class Back extends ChannelDuplexHandler {

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            back = ctx;
            if (ctx.channel().isActive()) {
                idle();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (state == State.IDLE && timer == null) {
                idle();
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            state = State.DONE;
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            disarm();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (state == State.DONE) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                DecoderResult result = request.decoderResult();
                if (result.isFailure()) {
                    ReferenceCountUtil.release(msg);
                    rejectUndecodable(result.cause());
                    return;
                }
                disarm();
                state = State.REQUEST;
                requestRead = false;
                responseWritten = false;
            }
            if (msg instanceof LastHttpContent && state == State.REQUEST) {
                requestRead = true;
                fireChannelReadThenMaybeIdle(ctx, msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            boolean upgraded = msg instanceof HttpResponse response
                    && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
            boolean interim = msg instanceof HttpResponse response
                    && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            boolean finished = msg instanceof LastHttpContent && !interim && state == State.REQUEST;
            ctx.write(msg, promise);
            if (upgraded) {
                leave(ctx.pipeline());
            }
            else if (finished) {
                responseWritten = true;
                if (requestRead) {
                    idle();
                }
            }
        }

        private void fireChannelReadThenMaybeIdle(ChannelHandlerContext ctx, Object msg) {
            ctx.fireChannelRead(msg);
            // The response may have been written already (an early answer, or a synchronous one).
            if (state == State.REQUEST && responseWritten) {
                idle();
            }
        }
    }

    private void rejectUndecodable(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            refuse(ApiError.URI_TOO_LONG, "Request line too long");
        }
        else if (cause instanceof TooLongHttpHeaderException) {
            refuse(ApiError.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request headers too large");
        }
        else {
            refuse(ApiError.BAD_REQUEST, "Malformed HTTP request");
        }
    }
}
