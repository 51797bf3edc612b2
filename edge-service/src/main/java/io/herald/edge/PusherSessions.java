package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.protocol.ClientFrame;
import io.herald.core.protocol.ProtocolException;
import io.herald.core.protocol.PusherCodec;
import io.herald.edge.config.EdgeProperties;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;

/**
 * Runs accepted Pusher connections: announces the socket id, answers pings, handles
 * subscriptions and turns bad input into {@code pusher:error} for that one socket.
 *
 * <p>One bad frame never closes a connection (except a frame over the size limit, which Netty
 * closes with 1009), and nothing a client sends can disturb another connection.
 */
public final class PusherSessions {

    private static final Logger log = LoggerFactory.getLogger(PusherSessions.class);

    /** The WebSocket code of a connection that ended without a close frame. */
    static final int NO_CLOSE_FRAME = 1006;
    /** Bounds the wait for the client's close status once the connection has ended. */
    private static final Duration CLOSE_STATUS_WAIT = Duration.ofSeconds(1);

    private final EdgeProperties properties;
    private final ConnectionRegistry registry;
    private final ChannelSubscriptions subscriptions;
    private final ClientEvents clientEvents;
    private final UserSignin signin;
    private final SocketIds socketIds = new SocketIds();
    private final LoopWriters writers = new LoopWriters();
    private final int activityTimeoutSeconds;
    private final DebugConsole debug;
    private final Clock clock;

    public PusherSessions(EdgeProperties properties, ConnectionRegistry registry, ChannelSubscriptions subscriptions,
            ClientEvents clientEvents, UserSignin signin) {
        this(properties, registry, subscriptions, clientEvents, signin, DebugConsole.NONE, Clock.systemUTC());
    }

    /** @param debug where connections opened and closed are shown while somebody watches their app */
    public PusherSessions(EdgeProperties properties, ConnectionRegistry registry, ChannelSubscriptions subscriptions,
            ClientEvents clientEvents, UserSignin signin, DebugConsole debug, Clock clock) {
        this.debug = Objects.requireNonNull(debug, "debug");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.properties = properties;
        this.registry = registry;
        this.subscriptions = subscriptions;
        this.clientEvents = clientEvents;
        this.signin = signin;
        this.activityTimeoutSeconds = (int) properties.activityTimeout().toSeconds();
    }

    /** Counts every connection of this node that ended, refusals at the handshake included. */
    public ConnectionCloses closes() {
        return registry.closes();
    }

    /**
     * Serves one connection of {@code app} until either side closes it.
     *
     * @param transport writes to the session's connection (inbound frames still come from
     *        {@code session.receive()})
     */
    public Mono<Void> run(WebSocketSession session, Transport transport, App app) {
        EdgeConnection connection = new EdgeConnection(transport, writers.of(transport.eventLoop()), app,
                socketIds.next(), properties.maxOutboundBytes().toBytes(), properties.maxOutboundMessages(),
                registry.now(), registry.droppedMessages(app.id()));
        registry.add(connection);
        log.debug("Connection opened: app {} socket {}", app.id(), connection.socketId());
        if (debug.watched(app.id())) {
            debug.emit(DebugEvent.connectionOpened(app.id(), clock.instant(), connection.socketId()));
        }
        connection.send(PusherCodec.connectionEstablished(connection.socketId(), activityTimeoutSeconds));

        AtomicReference<Throwable> inboundError = new AtomicReference<>();
        Mono<Void> inbound = session.receive()
                .doOnNext(message -> onFrame(connection, message))
                .doOnError(inboundError::set)
                .doFinally(signal -> {
                    connection.terminate();
                    release(connection);
                    // Counted when the inbound side ends: the outbound one may never finish
                    // flushing to a client that stopped reading (a 4100).
                    closeStatus(session, connection, inboundError.get()).subscribe(status -> {
                        registry.closes().count(status.getCode());
                        if (debug.watched(connection.appId())) {
                            debug.emit(DebugEvent.connectionClosed(connection.appId(), clock.instant(),
                                    connection.socketId(), status.getCode(), status.getReason()));
                        }
                    });
                })
                .then();
        // Outbound frames are written by the transport directly; the session is served until its inbound side ends.
        return inbound.onErrorResume(ex -> {
            log.debug("Connection {} ended with an error: {}", connection, ex.toString());
            return Mono.empty();
        });
    }

    /**
     * The close status (code, reason) a connection ended with: the server's when it closed it, the one a broken frame
     * called for (1009 for a frame over the limit), else the client's close frame, or 1006 when
     * the connection ended without one.
     */
    private static Mono<CloseStatus> closeStatus(WebSocketSession session, EdgeConnection connection,
            Throwable inboundError) {
        if (connection.closeStatus() != null) {
            return Mono.just(connection.closeStatus());
        }
        if (inboundError instanceof CorruptedWebSocketFrameException corrupted) {
            return Mono.just(new CloseStatus(corrupted.closeStatus().code(), corrupted.closeStatus().reasonText()));
        }
        // Known once the inbound side has ended, which it has here; the timeout only guards the count.
        return session.closeStatus()
                .timeout(CLOSE_STATUS_WAIT, Mono.empty())
                .onErrorResume(ex -> Mono.empty())
                .defaultIfEmpty(new CloseStatus(NO_CLOSE_FRAME));
    }

    private void release(EdgeConnection connection) {
        subscriptions.leaveAll(connection);
        signin.release(connection);
        registry.remove(connection);
        log.debug("Connection closed: app {} socket {}", connection.appId(), connection.socketId());
    }

    private void onFrame(EdgeConnection connection, WebSocketMessage message) {
        connection.touch(registry.now());
        if (message.getType() != WebSocketMessage.Type.TEXT) {
            if (message.getType() == WebSocketMessage.Type.BINARY) {
                connection.send(PusherCodec.error(null, "Binary WebSocket frames are not supported; send JSON text"));
            }
            return;
        }
        ClientFrame frame;
        try {
            frame = PusherCodec.decode(message.getPayloadAsText());
        }
        catch (ProtocolException ex) {
            connection.send(PusherCodec.error(null, ex.getMessage()));
            return;
        }
        try {
            dispatch(connection, frame);
        }
        catch (RuntimeException ex) {
            log.warn("Failed to handle {} from app {} socket {}", frame.event(), connection.appId(),
                    connection.socketId(), ex);
            connection.send(PusherCodec.error(null, "Internal error handling " + frame.event()));
        }
    }

    private void dispatch(EdgeConnection connection, ClientFrame frame) {
        switch (frame.event()) {
            case PusherCodec.PING -> connection.send(PusherCodec.pong());
            case PusherCodec.PONG -> {
                // Activity was recorded on receipt; nothing else to do.
            }
            case PusherCodec.SUBSCRIBE -> subscriptions.subscribe(connection, frame);
            case PusherCodec.UNSUBSCRIBE -> subscriptions.unsubscribe(connection, frame);
            case PusherCodec.SIGNIN -> signin.signin(connection, frame);
            default -> {
                if (frame.event().startsWith("client-")) {
                    clientEvents.relay(connection, frame);
                }
                else {
                    connection.send(PusherCodec.error(null, "Unsupported event: " + frame.event()));
                }
            }
        }
    }
}
