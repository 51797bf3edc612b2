package io.herald.metrics.security;

import java.util.List;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Who may read which app's usage, dashboard and debug console on metrics-service: the one
 * question every handler of the service asks before it answers.
 *
 * <p>Errors are {@link io.herald.core.error.ApiException}s, so every handler answers them the
 * same way: 401 without credentials (or with credentials that do not check out), 403 when the
 * caller may not read the app, or when the API is off because nothing could authenticate a
 * caller.
 */
public interface AppAccess {

    /** Completes empty when the caller of {@code exchange} may read {@code appId}; errors otherwise. */
    Mono<Void> checkRead(ServerWebExchange exchange, String appId);

    /** The ids of the apps the caller of {@code exchange} may read, sorted; errors as {@link #checkRead}. */
    Mono<List<String>> readableApps(ServerWebExchange exchange);
}
