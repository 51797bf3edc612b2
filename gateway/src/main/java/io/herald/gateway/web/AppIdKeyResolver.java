package io.herald.gateway.web;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The key of the per-tenant HTTP API request limit: the app id of {@code /apps/{app_id}/…}, empty
 * for any other path. Spring Cloud Gateway's rate-limiter SPI ({@code KeyResolver} +
 * {@code RateLimiter}) is the seam: the limiter itself, backed by Herald's {@code RateLimiter} port
 * (rate-limit-service), is not wired yet. Until it is, the gateway does not limit requests; this
 * bean only resolves the key.
 */
public final class AppIdKeyResolver implements KeyResolver {

    private static final Pattern APP_PATH = Pattern.compile("^/apps/([^/]+)(?:/.*)?$");

    @Override
    public Mono<String> resolve(ServerWebExchange exchange) {
        return Mono.justOrEmpty(appId(exchange.getRequest().getPath().value()));
    }

    /** The app id of an HTTP API path, or null. */
    public static String appId(String path) {
        Matcher matcher = APP_PATH.matcher(path);
        return matcher.matches() ? matcher.group(1) : null;
    }
}
