package io.herald.gateway.config;

import io.herald.gateway.web.RequestSizeLimit;
import io.herald.gateway.web.Unavailable;
import java.util.List;
import java.util.Objects;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.GatewayFilterSpec;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;

/**
 * The gateway's routes. Every route forwards the request path and query exactly as received (no
 * rewrite, no re-encoding: the HTTP API's signatures are computed over them), load-balanced over
 * the service's instances ({@link Backends}).
 *
 * <ul>
 * <li>{@code /app/**} (WebSocket) to the edges, passed straight through: no breaker (its time
 *     limiter would bound a connection's life), no size limit, no retry;</li>
 * <li>{@code /apps/**} (HTTP API) to the publish nodes, with the per-tenant request limit when configured;</li>
 * <li>{@code /admin/**} to auth-service;</li>
 * <li>the metrics paths ({@code /usage/**}, {@code /dashboard/**}) to metrics-service.</li>
 * </ul>
 * Each HTTP route has a size limit, a circuit breaker whose fallback is a JSON 503, and retries of
 * {@code GET} only (a publish POST retried could be delivered twice). Nothing routes
 * {@code /internal/**}: auth-service's internal API stays internal.
 */
public final class GatewayRoutes {

    private GatewayRoutes() {
    }

    public static RouteLocator routes(RouteLocatorBuilder builder, GatewayProperties properties) {
        return routes(builder, properties, null);
    }

    /**
     * @param tenantLimit the per-tenant request limit of {@code /apps/**}, after the size check and
     *        before the breaker (a refused request reaches no service and is no breaker call); null for none
     */
    public static RouteLocator routes(RouteLocatorBuilder builder, GatewayProperties properties,
            GatewayFilter tenantLimit) {
        Objects.requireNonNull(properties, "properties");
        return builder.routes()
                .route("edge", r -> r.path("/app/**").uri("lb:ws://" + Backends.EDGE))
                .route("publish", r -> r.path("/apps/**")
                        .filters(f -> http(f, properties, "publish-service", "publish", tenantLimit))
                        .uri("lb://" + Backends.PUBLISH))
                .route("admin", r -> r.path("/admin/**")
                        .filters(f -> http(f, properties, "auth-service", "admin", null))
                        .uri("lb://" + Backends.AUTH))
                .route("metrics", r -> r.path(properties.metricsPaths().toArray(String[]::new))
                        .filters(f -> http(f, properties, "metrics-service", "metrics", null))
                        .uri("lb://" + Backends.METRICS))
                .build();
    }

    private static GatewayFilterSpec http(GatewayFilterSpec filters, GatewayProperties properties, String service,
            String breaker, GatewayFilter tenantLimit) {
        // In order, outermost first: the size check before anything, the tenant's request limit, the
        // breaker around the retries (a GET retried counts as one call, and is one request of the
        // tenant), the retries around the call to one instance.
        filters.filter(new RequestSizeLimit(properties.maxRequestSize().toBytes()));
        if (tenantLimit != null) {
            filters.filter(tenantLimit);
        }
        filters.circuitBreaker(c -> c.setName(breaker).setFallbackUri(Unavailable.fallbackUri(service)));
        if (properties.retries() > 0) {
            filters.retry(c -> c.setRetries(properties.retries())
                    .setMethods(HttpMethod.GET)
                    .setSeries()
                    .setStatuses(HttpStatus.BAD_GATEWAY, HttpStatus.SERVICE_UNAVAILABLE, HttpStatus.GATEWAY_TIMEOUT)
                    .setExceptions(java.io.IOException.class, java.util.concurrent.TimeoutException.class)
                    .setBackoff(null));
        }
        return filters;
    }

    /** The service ids the routes use (for documentation and tests). */
    public static List<String> serviceIds() {
        return List.of(Backends.EDGE, Backends.PUBLISH, Backends.AUTH, Backends.METRICS);
    }
}
