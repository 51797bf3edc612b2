package io.herald.gateway.web;

import java.util.Locale;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses (400) a path with dot segments or encoded slashes, dots or backslashes. The gateway
 * forwards the raw path unchanged (the publish API's signatures cover it), so a path such as
 * {@code /admin/../internal/v1/…} would match the {@code /admin/**} route and reach auth-service's
 * internal API if a service resolved the dot segments itself: {@code /internal/**} must never be
 * reachable from outside. No Herald route has such a path.
 */
public final class PathGuard implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String raw = exchange.getRequest().getURI().getRawPath();
        if (raw != null && suspicious(raw)) {
            return JsonErrors.write(exchange, HttpStatus.BAD_REQUEST, "Invalid request path");
        }
        return chain.filter(exchange);
    }

    static boolean suspicious(String rawPath) {
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c") || lower.contains("\\")
                || lower.contains("%25")) {
            return true;
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
