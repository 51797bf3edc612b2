package io.herald.core.web;

import java.util.List;
import java.util.Objects;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Spring Security's {@link WebFilterChainProxy}, kept off the paths of the Pusher protocol: the HTTP
 * API ({@code /apps/…}, signed per request by the app's secret) and the WebSocket endpoint
 * ({@code /app/{key}}). No security chain of Herald matches them (the chains claim {@code /admin},
 * {@code /internal}, {@code /dashboard} and {@code /usage}), yet the proxy runs for every request
 * of a shared server: it wraps the exchange in its firewall, tries every chain's matcher (whose
 * debug message commons-logging formats even with debug off) and opens and closes observations —
 * a measured ~20 % of a signed publish (docs/benchmarks.md, "Issue 10: cost of a signed publish").
 *
 * <p>Only a path that is plainly a Pusher path ({@link PusherPaths#isPlain}) is let through.
 * Anything else — an encoded character, a path parameter, a traversal — goes through the proxy and its firewall exactly as before, so the bypass can never
 * be used to reach a secured path. Every other request is handed to the proxy unchanged.
 */
public final class PusherPathsSecurityBypass extends WebFilterChainProxy {

    private final WebFilterChainProxy security;

    public PusherPathsSecurityBypass(WebFilterChainProxy security) {
        // The chains stay the wrapped proxy's; this instance only decides who reaches it.
        super(List.of());
        this.security = Objects.requireNonNull(security, "security");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (PusherPaths.isPlain(exchange.getRequest().getPath().value())) {
            return chain.filter(exchange);
        }
        return security.filter(exchange, chain);
    }
}
