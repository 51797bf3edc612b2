package io.herald.gateway.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The gateway's WebSocket service: Spring Cloud Gateway's own ({@code WebsocketRoutingFilter}
 * hands it each upgrade with its proxy handler), keeping the client side of every proxied
 * WebSocket while it is open, so that {@link #drain} can ask them all to reconnect when the
 * gateway leaves.
 *
 * <p>The drain closes each client session with Pusher's 4200 ("reconnect"), spread evenly over the
 * drain period, and the upstream one with the same code: the proxy handler is given the client
 * session decorated so that its {@code closeStatus()} (which the handler forwards to the edge)
 * tells the 4200 at once, without waiting for the client's answering close. The edge sees the
 * client leave with 4200, and defers that connection's presence leaves as it does for a
 * connection it drained itself (docs/drain.md).
 */
public final class ProxiedWebSockets implements WebSocketService {

    /** Pusher's "reconnect" close code: the client reconnects after a short wait (4200-4299). */
    public static final int RECONNECT = 4200;

    private static final Logger log = LoggerFactory.getLogger(ProxiedWebSockets.class);

    private final WebSocketService delegate;
    private final Scheduler scheduler;
    private final Set<Proxied> open = ConcurrentHashMap.newKeySet();

    public ProxiedWebSockets(WebSocketService delegate, Scheduler scheduler) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    @Override
    public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
        return delegate.handleRequest(exchange, new Tracked(handler));
    }

    /** How many proxied WebSockets are open. */
    public int size() {
        return open.size();
    }

    /**
     * Closes the client side of every proxied WebSocket with 4200, spread evenly over
     * {@code period}, on the scheduler. Never blocks.
     */
    public void drain(Duration period) {
        List<Proxied> sessions = List.copyOf(open);
        if (sessions.isEmpty()) {
            return;
        }
        log.info("Draining {} proxied WebSocket(s) over {}: asking clients to reconnect ({})", sessions.size(),
                period, RECONNECT);
        long step = period.toNanos() / sessions.size();
        CloseStatus reconnect = new CloseStatus(RECONNECT, "Gateway shutting down, reconnect");
        for (int i = 0; i < sessions.size(); i++) {
            Proxied session = sessions.get(i);
            scheduler.schedule(() -> session.drain(reconnect), step * i, TimeUnit.NANOSECONDS);
        }
    }

    /** The proxy handler, with the client session known while it is open. */
    private final class Tracked implements WebSocketHandler {

        private final WebSocketHandler handler;

        Tracked(WebSocketHandler handler) {
            this.handler = handler;
        }

        @Override
        public List<String> getSubProtocols() {
            return handler.getSubProtocols();
        }

        @Override
        public Mono<Void> handle(WebSocketSession session) {
            Proxied proxied = new Proxied(session);
            open.add(proxied);
            return handler.handle(proxied).doFinally(signal -> open.remove(proxied));
        }
    }

    /**
     * A proxied client session whose close status is the drain's 4200 as soon as the drain closes
     * it, so that the proxy handler closes the upstream with it at once; otherwise the client's.
     */
    private static final class Proxied implements WebSocketSession {

        private final WebSocketSession session;
        private final Sinks.One<CloseStatus> drained = Sinks.one();

        Proxied(WebSocketSession session) {
            this.session = session;
        }

        @Override
        public Mono<CloseStatus> closeStatus() {
            return Mono.firstWithSignal(drained.asMono(), session.closeStatus());
        }

        void drain(CloseStatus status) {
            drained.tryEmitValue(status);
            session.close(status).subscribe(null, ex -> log.debug("Could not close {}: {}", getId(), ex.toString()));
        }

        @Override
        public String getId() {
            return session.getId();
        }

        @Override
        public HandshakeInfo getHandshakeInfo() {
            return session.getHandshakeInfo();
        }

        @Override
        public DataBufferFactory bufferFactory() {
            return session.bufferFactory();
        }

        @Override
        public Map<String, Object> getAttributes() {
            return session.getAttributes();
        }

        @Override
        public Flux<WebSocketMessage> receive() {
            return session.receive();
        }

        @Override
        public Mono<Void> send(Publisher<WebSocketMessage> messages) {
            return session.send(messages);
        }

        @Override
        public boolean isOpen() {
            return session.isOpen();
        }

        @Override
        public Mono<Void> close(CloseStatus status) {
            return session.close(status);
        }

        @Override
        public WebSocketMessage textMessage(String payload) {
            return session.textMessage(payload);
        }

        @Override
        public WebSocketMessage binaryMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
            return session.binaryMessage(payloadFactory);
        }

        @Override
        public WebSocketMessage pingMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
            return session.pingMessage(payloadFactory);
        }

        @Override
        public WebSocketMessage pongMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
            return session.pongMessage(payloadFactory);
        }
    }
}
