package io.herald.gateway.config;

import io.herald.core.app.AppStore;
import io.herald.core.app.CachingAppStore;
import io.herald.core.auth.AuthProperties;
import io.herald.core.auth.http.AuthServiceClient;
import io.herald.core.auth.http.HttpAppStore;
import io.herald.core.config.ImpossibleConfigurationException;
import io.herald.core.config.RateLimitCoreConfiguration;
import io.herald.core.ratelimit.AppQuotas;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.RateLimitProperties;
import io.herald.gateway.ratelimit.TenantRateLimiter;
import io.herald.gateway.web.AppIdKeyResolver;
import io.herald.gateway.web.TenantRequestLimit;
import io.herald.core.metrics.HeraldMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The per-tenant HTTP API request limit (docs/gateway.md, "Limits"), on when
 * {@code herald.ratelimit.url} points at rate-limit-service: apps' limits from auth-service
 * ({@code herald.auth.url}, the public view without secrets, cached and kept fresh by its change
 * stream, as edges read them), decisions by this gateway's {@link LeasedRateLimiter} over
 * rate-limit-service ({@code herald.ratelimit.*}: leases, breaker, local share of
 * {@code limit ÷ herald.ratelimit.nodes} when the service cannot be reached), wired into Spring
 * Cloud Gateway's rate-limiter SPI ({@link TenantRateLimiter}) and the {@code /apps/**} route
 * ({@link TenantRequestLimit}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${herald.ratelimit.url:}' != ''")
@EnableConfigurationProperties({ RateLimitProperties.class, AuthProperties.class })
public class TenantLimitConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TenantLimitConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    public Clock heraldClock() {
        return Clock.systemUTC();
    }

    /** Apps as auth-service shows them to edges: limits, never a secret. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public CachingAppStore gatewayAppStore(AuthProperties auth, Clock clock, ObjectProvider<MeterRegistry> meters) {
        if (auth.url() == null) {
            throw new ImpossibleConfigurationException("herald.ratelimit.url is set on the gateway without "
                    + "herald.auth.url: the gateway cannot know the apps' request limits",
                    "Set herald.auth.url (and herald.auth.internal-token) to auth-service's internal address, "
                            + "or unset herald.ratelimit.url to leave the API request limit to the publish nodes");
        }
        log.info("Per-tenant API request limit on: limits from auth-service at {}", auth.url());
        CachingAppStore cache = new CachingAppStore(new HttpAppStore(new AuthServiceClient(auth)), auth.cacheTtl(),
                auth.maxStaleness(), clock);
        MeterRegistry registry = meters.getIfAvailable();
        if (registry != null) {
            // The same gauges as every service with a cached app store (docs/metrics.md).
            Gauge.builder(HeraldMeters.APPS_STALE.meterName(), cache, CachingAppStore::staleApps)
                    .description("Apps served from their last known view because the app store cannot be reached")
                    .register(registry);
            Gauge.builder(HeraldMeters.APPS_STALE_AGE.meterName(), cache, c -> c.oldestStaleAge().toMillis() / 1000.0)
                    .description("Age of the oldest last known view of an app being served")
                    .baseUnit("seconds")
                    .register(registry);
        }
        return cache;
    }

    @Bean
    @ConditionalOnMissingBean
    public AppQuotas appQuotas(RateLimitProperties properties) {
        return new AppQuotas(properties.burst());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public LeasedRateLimiter leasedRateLimiter(RateLimitProperties properties, Clock clock,
            ObjectProvider<MeterRegistry> meters) {
        return RateLimitCoreConfiguration.newLeasedRateLimiter(RateLimitCoreConfiguration.httpRateLimiter(properties),
                properties, clock, meters.getIfAvailable());
    }

    /** Gives back the rest of expired leases every lease lifetime, on a timer thread. */
    @Bean(destroyMethod = "dispose")
    public Disposable gatewayLeaseReleaser(LeasedRateLimiter leased, RateLimitProperties properties) {
        return Flux.interval(properties.leaseLifetime(), Schedulers.parallel())
                .concatMap(tick -> leased.releaseExpired().onErrorComplete())
                .subscribe();
    }

    /** Spring Cloud Gateway's rate-limiter SPI over Herald's {@code RateLimiter} port. */
    @Bean
    @ConditionalOnMissingBean
    public TenantRateLimiter tenantRateLimiter(AppStore gatewayAppStore, AppQuotas quotas, LeasedRateLimiter leased) {
        return new TenantRateLimiter(gatewayAppStore, quotas, leased);
    }

    @Bean
    @ConditionalOnMissingBean
    public TenantRequestLimit tenantRequestLimit(AppIdKeyResolver keys, TenantRateLimiter limiter,
            ObjectProvider<MeterRegistry> meters) {
        return new TenantRequestLimit(keys, limiter, meters.getIfAvailable(() -> Metrics.globalRegistry));
    }
}
