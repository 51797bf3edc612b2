package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.error.PusherError;
import io.herald.core.protocol.ClientFrame;
import io.herald.core.protocol.ProtocolException;
import io.herald.core.protocol.PusherCodec;
import io.herald.edge.config.EdgeProperties;
import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugEvent;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    public static final int NO_CLOSE_FRAME = 1006;

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
    private final EdgeDrain drain;

    public PusherSessions(EdgeProperties properties, ConnectionRegistry registry, ChannelSubscriptions subscriptions,
            ClientEvents clientEvents, UserSignin signin) {
        this(properties, registry, subscriptions, clientEvents, signin, DebugConsole.NONE, Clock.systemUTC(),
                EdgeDrain.none(reactor.core.scheduler.Schedulers.parallel()));
    }

    /**
     * @param debug where connections opened and closed are shown while somebody watches their app
     * @param drain while the node drains, each new connection is told at once to reconnect elsewhere
     */
    public PusherSessions(EdgeProperties properties, ConnectionRegistry registry, ChannelSubscriptions subscriptions,
            ClientEvents clientEvents, UserSignin signin, DebugConsole debug, Clock clock, EdgeDrain drain) {
        this.drain = Objects.requireNonNull(drain, "drain");
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
     * Opens one connection of {@code app}: registers it and sends
     * {@code pusher:connection_established}. The transport then reports the client's frames and
     * the connection's end to the returned {@link Inbound}.
     *
     * <p>While the node drains, the connection is bounced ({@link EdgeDrain#bounce}): established,
     * then told to reconnect (4200), so that the load balancer that still sent it here (its health
     * check had not seen the readiness change yet) sends it elsewhere.
     *
     * @param transport writes to the connection
     */
    public Inbound open(Transport transport, App app) {
        EdgeConnection connection = new EdgeConnection(transport, writers.of(transport.eventLoop()), app,
                socketIds.next(), properties.maxOutboundBytes().toBytes(), properties.maxOutboundMessages(),
                registry.now(), registry.droppedMessages(app.id()));
        registry.add(connection);
        log.debug("Connection opened: app {} socket {}", app.id(), connection.socketId());
        if (debug.watched(app.id())) {
            debug.emit(DebugEvent.connectionOpened(app.id(), clock.instant(), connection.socketId()));
        }
        connection.send(PusherCodec.connectionEstablished(connection.socketId(), activityTimeoutSeconds));
        if (drain.draining()) {
            drain.bounce(connection);
        }
        return new Served(this, connection);
    }

    /** The {@link Inbound} of one open connection: the only per-connection object besides the connection. */
    private static final class Served implements Inbound {

        private final PusherSessions sessions;
        private final EdgeConnection connection;

        Served(PusherSessions sessions, EdgeConnection connection) {
            this.sessions = sessions;
            this.connection = connection;
        }

        @Override
        public void text(String frame) {
            sessions.onText(connection, frame);
        }

        @Override
        public void binary() {
            connection.touch(sessions.registry.now());
            connection.send(PusherCodec.error(null, "Binary WebSocket frames are not supported; send JSON text"));
        }

        @Override
        public void pong() {
            connection.touch(sessions.registry.now());
        }

        @Override
        public void ended(int clientCloseCode) {
            // Only the client's own 4200: a close the server asked for (closeStatus) is echoed back with its code.
            if (clientCloseCode == PusherError.RECONNECT.code() && connection.closeStatus() == null) {
                connection.moving();
            }
            connection.terminate();
            sessions.release(connection);
        }

        /** Counted when the inbound side ends: the outbound one may never finish flushing to a client that stopped reading (a 4100). */
        @Override
        public void closed(int code, String reason) {
            CloseStatus server = connection.closeStatus();
            CloseStatus status = server != null ? server : new CloseStatus(code, reason);
            sessions.registry.closes().count(status.code());
            if (sessions.debug.watched(connection.appId())) {
                sessions.debug.emit(DebugEvent.connectionClosed(connection.appId(), sessions.clock.instant(),
                        connection.socketId(), status.code(), status.reason()));
            }
        }

        @Override
        public String toString() {
            return connection.toString();
        }
    }

    private void release(EdgeConnection connection) {
        subscriptions.leaveAll(connection);
        signin.release(connection);
        registry.remove(connection);
        log.debug("Connection closed: app {} socket {}", connection.appId(), connection.socketId());
    }

    private void onText(EdgeConnection connection, String text) {
        connection.touch(registry.now());
        ClientFrame frame;
        try {
            frame = PusherCodec.decode(text);
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
