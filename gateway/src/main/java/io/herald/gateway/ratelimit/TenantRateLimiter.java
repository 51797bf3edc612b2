package io.herald.gateway.ratelimit;

import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import io.herald.core.names.Names;
import io.herald.core.ratelimit.AppQuotas;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.RateLimiter.Quota;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.http.HttpHeaders;
import reactor.core.publisher.Mono;

/**
 * The per-tenant HTTP API request limit as Spring Cloud Gateway's rate-limiter SPI, decided by
 * Herald's {@code RateLimiter} port: the key is the app id ({@code AppIdKeyResolver}), the quota
 * the app's {@code maxApiRequestsPerSecond} from the {@link AppStore} (on the gateway, auth-service's
 * public view of the app: limits, never a secret), and the decision this gateway's
 * {@link LeasedRateLimiter} over rate-limit-service (leases, circuit breaker, local share when the
 * service cannot be reached: publishing is never blocked by an unreachable limiter).
 *
 * <p>Allowed without asking anyone: an app without that quota (0), an unknown or disabled app (the
 * publish node answers 404 or 403 and nothing is counted), and an app that cannot be looked up
 * (auth-service down and the app not cached): the limit fails open, like every Herald quota.
 *
 * <p>A refusal is a {@link Refusal}: the {@code Retry-After} in seconds among its headers, and
 * the message publish-service would give ({@link AppQuotas#apiRequestRateExceeded}).
 * Configuration per route is not used (each app has its own quota), so {@link Config} is empty.
 */
public final class TenantRateLimiter implements RateLimiter<TenantRateLimiter.Config> {

    private static final Logger log = LoggerFactory.getLogger(TenantRateLimiter.class);

    /** No per-route settings: the quota is the app's. */
    public static final class Config {
    }

    /** A refused request: when to retry, and what to tell the tenant. */
    public static final class Refusal extends Response {

        private final String message;
        private final Duration retryAfter;

        Refusal(String message, Duration retryAfter) {
            super(false, Map.of(HttpHeaders.RETRY_AFTER, Long.toString(AppQuotas.retryAfterSeconds(retryAfter))));
            this.message = message;
            this.retryAfter = retryAfter;
        }

        /** The error message of the 429 body. */
        public String message() {
            return message;
        }

        /** How long until the app has a unit again. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    private static final Response ALLOWED = new Response(true, Map.of());

    private final AppStore apps;
    private final AppQuotas quotas;
    private final LeasedRateLimiter limiter;
    private final Map<String, Config> config = new HashMap<>();

    public TenantRateLimiter(AppStore apps, AppQuotas quotas, LeasedRateLimiter limiter) {
        this.apps = Objects.requireNonNull(apps, "apps");
        this.quotas = Objects.requireNonNull(quotas, "quotas");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
    }

    /** Admits one HTTP API request of the app {@code id}, or refuses it with a {@link Refusal}. */
    @Override
    public Mono<Response> isAllowed(String routeId, String id) {
        if (id == null || !Names.isValidAppId(id)) {
            // The publish node answers 404 for it; nothing to count.
            return Mono.just(ALLOWED);
        }
        return apps.findById(id)
                .filter(App::enabled)
                .flatMap(app -> {
                    Optional<Quota> quota = quotas.apiRequestRate(app);
                    if (quota.isEmpty()) {
                        return Mono.just(ALLOWED);
                    }
                    return limiter.admit(quota.get(), 1).map(admission -> admission.admitted() ? ALLOWED
                            : new Refusal(AppQuotas.apiRequestRateExceeded(app.id(), quota.get().limit(),
                                    admission.retryAfter()), admission.retryAfter()));
                })
                .defaultIfEmpty(ALLOWED)
                .onErrorResume(ex -> {
                    // The app cannot be looked up (auth-service down, not cached): fail open.
                    log.debug("API request limit of app {} not checked: {}", id, ex.toString());
                    return Mono.just(ALLOWED);
                });
    }

    @Override
    public Map<String, Config> getConfig() {
        return config;
    }

    @Override
    public Class<Config> getConfigClass() {
        return Config.class;
    }

    @Override
    public Config newConfig() {
        return new Config();
    }
}
