package io.herald.gateway.web;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Refuses a request whose {@code Content-Length} is over the limit with 413 and Herald's JSON
 * body, before anything is sent to a service. (Spring Cloud Gateway's own {@code RequestSize}
 * filter does the same check but answers with an empty body.) A chunked body has no length to
 * check here: the service behind enforces its own limit ({@code herald.publish.max-request-size})
 * while it reads, so the two limits should be equal.
 */
public final class RequestSizeLimit implements GatewayFilter {

    private final long maxBytes;

    public RequestSizeLimit(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
        this.maxBytes = maxBytes;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long length = exchange.getRequest().getHeaders().getContentLength();
        if (length > maxBytes) {
            return JsonErrors.write(exchange, HttpStatus.CONTENT_TOO_LARGE,
                    "Request body too large: " + length + " bytes, the limit is " + maxBytes);
        }
        return chain.filter(exchange);
    }
}
