package io.herald.edge.web;

import io.herald.core.error.PusherError;
import io.herald.edge.ConnectionCloses;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * WebSocket upgrade requests for any path other than {@code /app/{key}} are accepted and then
 * closed with 4005 ("Path not found"), as Pusher does, so that clients see the documented code
 * rather than a failed handshake (and counted as closed with 4005). Ordinary HTTP requests pass
 * through untouched.
 */
public final class WrongPathWebSocketFilter implements WebFilter {

    private final WebSocketService webSocketService;
    private final ConnectionCloses closes;

    public WrongPathWebSocketFilter(WebSocketService webSocketService, ConnectionCloses closes) {
        this.webSocketService = webSocketService;
        this.closes = closes;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String upgrade = exchange.getRequest().getHeaders().getFirst(HttpHeaders.UPGRADE);
        if (upgrade == null || !"websocket".equalsIgnoreCase(upgrade)
                || PusherWebSocketHandler.keyOf(exchange.getRequest().getURI().getRawPath()) != null) {
            return chain.filter(exchange);
        }
        return webSocketService.handleRequest(exchange, session -> PusherWebSocketHandler.refuse(session,
                PusherError.PATH_NOT_FOUND, PusherError.PATH_NOT_FOUND.message())
                .doFinally(signal -> closes.count(PusherError.PATH_NOT_FOUND.code())));
    }
}
