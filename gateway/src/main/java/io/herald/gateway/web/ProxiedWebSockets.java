package io.herald.gateway.web;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The gateway's WebSocket service: Spring Cloud Gateway's own ({@code WebsocketRoutingFilter}
 * hands it each upgrade with its proxy handler), keeping the client side of every proxied
 * WebSocket while it is open, so that {@link #drain} can ask them all to reconnect when the
 * gateway leaves.
 *
 * <p>The drain closes each client session with Pusher's 4200 ("reconnect"), spread evenly over the
 * drain period. The client answers with its own close frame carrying the code, which the proxy
 * handler forwards to the edge: the edge sees the client leave with 4200, and defers that
 * connection's presence leaves as it does for a connection it drained itself (docs/drain.md).
 */
public final class ProxiedWebSockets implements WebSocketService {

    /** Pusher's "reconnect" close code: the client reconnects after a short wait (4200-4299). */
    public static final int RECONNECT = 4200;

    private static final Logger log = LoggerFactory.getLogger(ProxiedWebSockets.class);

    private final WebSocketService delegate;
    private final Scheduler scheduler;
    private final Set<WebSocketSession> open = ConcurrentHashMap.newKeySet();

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
        List<WebSocketSession> sessions = List.copyOf(open);
        if (sessions.isEmpty()) {
            return;
        }
        log.info("Draining {} proxied WebSocket(s) over {}: asking clients to reconnect ({})", sessions.size(),
                period, RECONNECT);
        long step = period.toNanos() / sessions.size();
        CloseStatus reconnect = new CloseStatus(RECONNECT, "Gateway shutting down, reconnect");
        for (int i = 0; i < sessions.size(); i++) {
            WebSocketSession session = sessions.get(i);
            scheduler.schedule(() -> session.close(reconnect).subscribe(null,
                    ex -> log.debug("Could not close {}: {}", session.getId(), ex.toString())),
                    step * i, TimeUnit.NANOSECONDS);
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
            open.add(session);
            return handler.handle(session).doFinally(signal -> open.remove(session));
        }
    }
}
