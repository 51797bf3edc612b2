package io.herald.metrics.security;

import io.herald.core.app.App;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import io.herald.core.app.StaticAppStore;
import io.herald.core.error.ApiError;
import io.herald.core.tenant.TenantStore;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Who may read which app, once Spring Security ({@link DashboardSecurity}) has said who the caller
 * is: the {@link Callers.Operator} every app (and the cluster, {@code *}); a
 * {@link Callers.TenantUser} the apps its tenant owns, read from the {@link TenantStore} on every
 * request (an app unassigned or a user removed loses access at once). Another tenant's app, an
 * unknown app and the cluster are 404 to a tenant user alike, so ids cannot be probed. No caller:
 * 401.
 */
public final class TenantAccess implements AppAccess {

    private final TenantStore tenants;
    private final AppStore apps;
    private final Supplier<Flux<String>> everyApp;

    /**
     * @param everyApp the ids of every app, for the operator (the app registry's when this process
     *        has one, the configured apps' otherwise)
     */
    public TenantAccess(TenantStore tenants, AppStore apps, Supplier<Flux<String>> everyApp) {
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.apps = Objects.requireNonNull(apps, "apps");
        this.everyApp = Objects.requireNonNull(everyApp, "everyApp");
    }

    /** The ids of every app {@code apps} can list: a registry's, a static store's, else none. */
    public static Supplier<Flux<String>> everyAppOf(AppStore apps) {
        if (apps instanceof AppRegistry registry) {
            return () -> registry.list().map(App::id);
        }
        if (apps instanceof StaticAppStore configured) {
            return () -> Flux.fromIterable(configured.all()).map(App::id);
        }
        return Flux::empty;
    }

    @Override
    public Mono<Void> checkRead(ServerWebExchange exchange, String appId) {
        return caller(exchange).flatMap(caller -> {
            if (caller instanceof Callers.Operator) {
                return Mono.empty();
            }
            Callers.TenantUser user = (Callers.TenantUser) caller;
            return tenants.findById(user.tenantId())
                    .filter(tenant -> tenant.owns(appId))
                    .switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("Unknown app " + appId)))
                    .then();
        });
    }

    @Override
    public Mono<List<String>> readableApps(ServerWebExchange exchange) {
        return caller(exchange).flatMap(caller -> {
            if (caller instanceof Callers.Operator) {
                return everyApp.get().sort().collectList();
            }
            Callers.TenantUser user = (Callers.TenantUser) caller;
            return tenants.findById(user.tenantId())
                    .flatMapMany(tenant -> Flux.fromIterable(tenant.apps()))
                    // An app deleted since it was assigned is not listed.
                    .filterWhen(id -> apps.findById(id).hasElement())
                    .sort().collectList();
        });
    }

    private static Mono<Object> caller(ServerWebExchange exchange) {
        return exchange.getPrincipal()
                .filter(p -> p instanceof Callers.Operator || p instanceof Callers.TenantUser)
                .map(p -> (Object) p)
                .switchIfEmpty(Mono.error(() -> ApiError.UNAUTHORIZED.exception(
                        "Sign in, or send the operator's token: Authorization: Bearer <herald.auth.admin-token>")));
    }
}
