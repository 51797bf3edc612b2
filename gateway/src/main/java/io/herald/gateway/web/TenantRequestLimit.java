package io.herald.gateway.web;

import io.herald.core.metrics.HeraldMeters;
import io.herald.gateway.ratelimit.TenantRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The per-tenant request limit of the HTTP API route: asks the rate-limiter SPI
 * ({@link TenantRateLimiter}) with the key of {@link AppIdKeyResolver} and refuses with
 * {@code 429}, {@code Retry-After} and Herald's JSON body, as publish-service does for the same
 * quota. (Spring Cloud Gateway's own {@code RequestRateLimiter} filter answers with an empty body.)
 * A request without an app id in its path is not limited. Refusals are counted in
 * {@code herald.ratelimit.refused{app_id, quota="api"}}, the publish nodes' meter.
 */
public final class TenantRequestLimit implements GatewayFilter {

    private static final RateLimiter.Response NOT_LIMITED = new RateLimiter.Response(true, Map.of());

    private final KeyResolver keys;
    private final RateLimiter<?> limiter;
    private final MeterRegistry registry;

    public TenantRequestLimit(KeyResolver keys, RateLimiter<?> limiter, MeterRegistry registry) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    private record Decision(String appId, RateLimiter.Response response) {
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        String routeId = route != null ? route.getId() : "publish";
        return keys.resolve(exchange)
                .flatMap(appId -> limiter.isAllowed(routeId, appId).map(response -> new Decision(appId, response)))
                // No app id in the path: not limited.
                .defaultIfEmpty(new Decision(null, NOT_LIMITED))
                .flatMap(decision -> {
                    RateLimiter.Response response = decision.response();
                    if (response.isAllowed()) {
                        return chain.filter(exchange);
                    }
                    // The publish nodes' meter, tagged alike (the app id count is capped, see HeraldMeters).
                    Counter.builder(HeraldMeters.RATELIMIT_REFUSED.meterName())
                            .description("HTTP API requests refused by a quota")
                            .tag(HeraldMeters.APP_ID, decision.appId())
                            .tag("quota", "api")
                            .register(registry)
                            .increment();
                    String retryAfter = response.getHeaders().get(HttpHeaders.RETRY_AFTER);
                    if (retryAfter != null) {
                        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, retryAfter);
                    }
                    String message = response instanceof TenantRateLimiter.Refusal refusal ? refusal.message()
                            : "Over the API request rate; retry after " + (retryAfter != null ? retryAfter : "1") + " s";
                    return JsonErrors.write(exchange, HttpStatus.TOO_MANY_REQUESTS, message);
                });
    }
}
