package io.herald.core.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How quotas are enforced ({@code herald.ratelimit.*}); the quotas themselves are per app
 * ({@link io.herald.core.app.AppLimits}). See {@code docs/quotas.md}.
 *
 * @param burst how much of a per-second rate one app may spend at once, as a time: a rate of L/s
 *        allows {@code L × burst} at once (at least 1), so over 10 s at most {@code 10 L + L × burst}
 * @param leaseLifetime how long a node keeps the units it leased before giving back the rest
 * @param timeout how long one call to the shared limiter (the state Redis) may take before the
 *        node decides alone with its local share
 * @param nodes how many nodes share each quota while they fall back to their local share
 *        ({@code limit ÷ nodes} each); set it to the number of publish (or edge) replicas
 * @param breakerOpenFor how long the circuit breaker around the shared limiter stays open after
 *        failures before it tries again
 * @param connectionTtl how long a node's count of connections counts toward an app's
 *        {@code maxConnections} without being refreshed (refreshed every third of it): a dead
 *        node's connections are released after it
 * @param url rate-limit-service's base URL; when set, decisions go to it over HTTP
 *        ({@code HttpRateLimiter}) instead of the state Redis or memory
 * @param internalToken the bearer token of the lease API: what rate-limit-service requires and
 *        what a node pointed at it sends
 */
@ConfigurationProperties("herald.ratelimit")
public record RateLimitProperties(@DefaultValue("500ms") Duration burst, @DefaultValue("1s") Duration leaseLifetime,
        @DefaultValue("500ms") Duration timeout, @DefaultValue("1") int nodes,
        @DefaultValue("5s") Duration breakerOpenFor, @DefaultValue("30s") Duration connectionTtl,
        java.net.URI url, String internalToken) {

    public RateLimitProperties {
        burst = burst == null ? Duration.ofMillis(500) : burst;
        leaseLifetime = leaseLifetime == null ? Duration.ofSeconds(1) : leaseLifetime;
        timeout = timeout == null ? Duration.ofMillis(500) : timeout;
        breakerOpenFor = breakerOpenFor == null ? Duration.ofSeconds(5) : breakerOpenFor;
        connectionTtl = connectionTtl == null ? Duration.ofSeconds(30) : connectionTtl;
        if (burst.isNegative() || leaseLifetime.isNegative() || leaseLifetime.isZero() || timeout.isNegative()
                || timeout.isZero() || breakerOpenFor.isNegative() || breakerOpenFor.isZero() || nodes < 1
                || connectionTtl.toMillis() < 3) {
            throw new IllegalArgumentException("herald.ratelimit.lease-lifetime, timeout, breaker-open-for and "
                    + "connection-ttl must be "
                    + "positive, burst 0 or more and nodes at least 1");
        }
    }

    @Override
    public String toString() {
        // Never the token.
        return "RateLimitProperties[burst=" + burst + ", leaseLifetime=" + leaseLifetime + ", timeout=" + timeout
                + ", nodes=" + nodes + ", url=" + url + "]";
    }

    /** Defaults. */
    public static RateLimitProperties defaults() {
        return new RateLimitProperties(null, null, null, 1, null, null, null, null);
    }
}
