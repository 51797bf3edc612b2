package io.herald.gateway.web;

import io.herald.core.web.ApiErrorResponses;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Writes the gateway's own answers in Herald's error format, {@code {"error":"…","status":n}}. */
public final class JsonErrors {

    private JsonErrors() {
    }

    /** Ends the exchange with {@code status} and {@code message}; a 503 also says when to retry (1 s). */
    public static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String message) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (status == HttpStatus.SERVICE_UNAVAILABLE) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER,
                    Long.toString(ApiErrorResponses.DEFAULT_RETRY_AFTER.toSeconds()));
        }
        byte[] body = ApiErrorResponses.body(message, status.value());
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
