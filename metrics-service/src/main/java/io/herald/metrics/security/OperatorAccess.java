package io.herald.metrics.security;

import io.herald.core.app.App;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import io.herald.core.app.CachingAppStore;
import io.herald.core.app.StaticAppStore;
import io.herald.core.error.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The operator, and nobody else: {@code Authorization: Bearer <herald.auth.admin-token>},
 * compared in constant time. Without a configured token every request is refused with 403
 * naming the property, never an open API.
 */
public final class OperatorAccess implements AppAccess {

    private final byte[] adminToken;
    private final AppStore apps;

    /** @param adminToken the operator's bearer token, or {@code null} for none (every request refused) */
    public OperatorAccess(String adminToken, AppStore apps) {
        this.adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken.getBytes(StandardCharsets.UTF_8);
        this.apps = Objects.requireNonNull(apps, "apps");
    }

    /** Whether the exchange carries the operator's token. */
    public boolean isOperator(ServerWebExchange exchange) {
        if (adminToken == null) {
            return false;
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
        return MessageDigest.isEqual(given, adminToken);
    }

    @Override
    public Mono<Void> checkRead(ServerWebExchange exchange, String appId) {
        return Mono.defer(() -> {
            check(exchange);
            return Mono.empty();
        });
    }

    @Override
    public Mono<List<String>> readableApps(ServerWebExchange exchange) {
        return Mono.defer(() -> {
            check(exchange);
            // The AppStore bean is a cache in front of the registry (or the static apps): list what is behind it.
            AppStore store = apps instanceof CachingAppStore cache ? cache.delegate() : apps;
            if (store instanceof AppRegistry registry) {
                return registry.list().map(App::id).sort().collectList();
            }
            if (store instanceof StaticAppStore fixed) {
                return Mono.just(fixed.all().stream().map(App::id).sorted().toList());
            }
            return Mono.just(List.of());
        });
    }

    private void check(ServerWebExchange exchange) {
        if (adminToken == null) {
            throw ApiError.FORBIDDEN.exception("The usage API is off: set herald.auth.admin-token to use it");
        }
        if (!isOperator(exchange)) {
            throw ApiError.UNAUTHORIZED.exception(
                    "Send the operator's token: Authorization: Bearer <herald.auth.admin-token>");
        }
    }
}
