package io.herald.core.config;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.ratelimit.AppQuotas;
import io.herald.core.ratelimit.http.HttpRateLimiter;
import io.herald.core.ratelimit.ConnectionQuota;
import io.herald.core.ratelimit.InMemoryConnectionQuota;
import io.herald.core.ratelimit.redis.RedisConnectionQuota;
import io.herald.core.ratelimit.InMemoryRateLimiter;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.RateLimitProperties;
import io.herald.core.ratelimit.RateLimiter;
import io.herald.core.ratelimit.redis.RedisGcraRateLimiter;
import io.herald.core.redis.RedisConnections;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Quotas for the roles that enforce them (publish today): the shared {@link RateLimiter} — a
 * {@link RedisGcraRateLimiter} on the state Redis when {@code herald.redis.state} is set, else an
 * {@link InMemoryRateLimiter} (right for one process); an {@link HttpRateLimiter} instead when
 * {@code herald.ratelimit.url} points at rate-limit-service — and this node's {@link LeasedRateLimiter}
 * over it, whose expired leases are given back every lease lifetime; and the edges'
 * {@link ConnectionQuota}. Every bean can be replaced.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
public class RateLimitCoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RateLimitCoreConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    public RateLimiter rateLimiter(RedisConnections redis, org.springframework.core.env.Environment environment,
            Clock clock, RateLimitProperties properties) {
        if (properties.url() != null) {
            return httpRateLimiter(properties);
        }
        if (StringUtils.hasText(environment.getProperty("herald.redis.state"))) {
            log.info("Quotas: cluster-wide on the state Redis (keys {}quota:*)", redis.keyPrefix());
            return new RedisGcraRateLimiter(redis, clock);
        }
        log.info("Quotas: in this process's memory (no herald.redis.state; single process only)");
        return new InMemoryRateLimiter(clock);
    }

    @Bean
    @ConditionalOnMissingBean
    public AppQuotas appQuotas(RateLimitProperties properties) {
        return new AppQuotas(properties.burst());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public LeasedRateLimiter leasedRateLimiter(RateLimiter rateLimiter, RateLimitProperties properties, Clock clock,
            ObjectProvider<MeterRegistry> meters) {
        return newLeasedRateLimiter(rateLimiter, properties, clock, meters.getIfAvailable());
    }

    /**
     * The client of rate-limit-service at {@code herald.ratelimit.url}; refuses a configuration
     * without {@code herald.ratelimit.internal-token}. Also used by the gateway.
     */
    public static RateLimiter httpRateLimiter(RateLimitProperties properties) {
        if (!StringUtils.hasText(properties.internalToken())) {
            throw new ImpossibleConfigurationException("herald.ratelimit.url is set without "
                    + "herald.ratelimit.internal-token: rate-limit-service would refuse every call",
                    "Set herald.ratelimit.internal-token to the token rate-limit-service is configured with");
        }
        log.info("Quotas: decided by rate-limit-service at {}", properties.url());
        return new HttpRateLimiter(properties.url(), properties.internalToken(), properties.timeout());
    }

    /**
     * A node's leases over {@code rateLimiter}, with the circuit breaker {@code rate-limiter} and,
     * when {@code registry} is not null, the degraded gauge and the fallback counter. Also used by
     * the gateway (its per-tenant request limit), so both enforce quotas the same way.
     */
    public static LeasedRateLimiter newLeasedRateLimiter(RateLimiter rateLimiter, RateLimitProperties properties,
            Clock clock, MeterRegistry registry) {
        CircuitBreaker breaker = CircuitBreaker.of("rate-limiter", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(properties.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(2)
                .build());
        LeasedRateLimiter leased = new LeasedRateLimiter(rateLimiter, clock, properties.leaseLifetime(),
                properties.timeout(), breaker, properties.nodes());
        if (registry != null) {
            Gauge.builder(HeraldMeters.RATELIMIT_DEGRADED.meterName(), leased, l -> l.degraded() ? 1 : 0)
                    .description("1 while quotas are enforced per node because the shared limiter cannot be reached")
                    .register(registry);
            FunctionCounter.builder(HeraldMeters.RATELIMIT_FALLBACK_DECISIONS.meterName(), leased,
                            LeasedRateLimiter::fallbackDecisions)
                    .description("leases granted from this node's local share of a quota")
                    .register(registry);
        }
        return leased;
    }

    /**
     * The concurrent-connection quota (edges): on the state Redis when it is set, else per process
     * (each node then admits {@code maxConnections ÷ herald.ratelimit.nodes}).
     */
    @Bean
    @ConditionalOnMissingBean
    public ConnectionQuota connectionQuota(RedisConnections redis, org.springframework.core.env.Environment environment,
            Clock clock, RateLimitProperties properties) {
        if (StringUtils.hasText(environment.getProperty("herald.redis.state"))) {
            // A field of its own per process: the entries are this process's connections.
            String node = java.util.UUID.randomUUID().toString();
            return new RedisConnectionQuota(redis, node, clock, properties.connectionTtl(), properties.nodes());
        }
        return new InMemoryConnectionQuota(properties.nodes());
    }

    /** Rewrites this node's connection counts every third of their time to live, on a timer thread. */
    @Bean(destroyMethod = "dispose")
    public Disposable connectionQuotaRefresher(ConnectionQuota quota, RateLimitProperties properties) {
        return Flux.interval(properties.connectionTtl().dividedBy(3), Schedulers.parallel())
                .concatMap(tick -> quota.refresh().onErrorComplete())
                .subscribe();
    }

    /** Gives back the rest of expired leases every lease lifetime, on a timer thread. */
    @Bean(destroyMethod = "dispose")
    public Disposable leaseReleaser(LeasedRateLimiter leased, RateLimitProperties properties) {
        return Flux.interval(properties.leaseLifetime(), Schedulers.parallel())
                .concatMap(tick -> leased.releaseExpired().onErrorComplete())
                .subscribe();
    }
}
