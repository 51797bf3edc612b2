package io.herald.core.auth;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a service reaches apps and signature verification ({@code herald.auth.*}).
 *
 * <p>With {@link #url()} set (an edge in a cluster) apps are read from auth-service (the public
 * view, never a secret) and signatures are verified by it; otherwise apps come from the state
 * Redis or from {@code herald.apps}, and signatures are verified in process.
 *
 * @param url the base URL of auth-service (for example {@code http://auth-service:6003}); none
 *        means apps and secrets are local
 * @param internalToken the token services send to auth-service's {@code /internal/**} endpoints
 *        (and that auth-service accepts there); required with {@code url}, and by auth-service
 * @param timeout how long one call to auth-service may take, connecting included; a slower answer
 *        counts as a failure and the caller gets a retryable error
 * @param cacheTtl how long a looked-up app is kept without a change announcement (the safety net
 *        for announcements lost in an outage)
 * @param maxStaleness while auth-service (or the state Redis) cannot be reached, how long after it
 *        was last fetched an app is still served from its last known view, so that connections and
 *        publishes of known apps go on; beyond it they are refused as unavailable; zero for never
 * @param circuitBreaker when to stop calling an auth-service that keeps failing
 */
@ConfigurationProperties("herald.auth")
public record AuthProperties(
        URI url,
        String internalToken,
        @DefaultValue("1s") Duration timeout,
        @DefaultValue("30s") Duration cacheTtl,
        @DefaultValue("1h") Duration maxStaleness,
        @DefaultValue CircuitBreakerProperties circuitBreaker) {

    public AuthProperties {
        circuitBreaker = circuitBreaker == null ? CircuitBreakerProperties.DEFAULTS : circuitBreaker;
        List<String> problems = new ArrayList<>();
        if (url != null && (url.getHost() == null
                || !("http".equals(url.getScheme()) || "https".equals(url.getScheme())))) {
            problems.add("herald.auth.url must be an http or https URL with a host");
        }
        if (url != null && (internalToken == null || internalToken.isBlank())) {
            problems.add("herald.auth.internal-token must be set when herald.auth.url is");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            problems.add("herald.auth.timeout must be positive");
        }
        if (cacheTtl == null || cacheTtl.isNegative() || cacheTtl.isZero()) {
            problems.add("herald.auth.cache-ttl must be positive");
        }
        if (maxStaleness == null || maxStaleness.isNegative()) {
            problems.add("herald.auth.max-staleness must be zero or positive");
        }
        circuitBreaker.check(problems);
        if (!problems.isEmpty()) {
            // Never the token itself in the message.
            throw new IllegalArgumentException("Invalid auth configuration: " + String.join("; ", problems));
        }
    }

    /** Nothing configured: local apps and verification. */
    public static AuthProperties defaults() {
        return new AuthProperties(null, null, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofHours(1),
                null);
    }

    @Override
    public String toString() {
        return "AuthProperties[url=" + url + ", internalToken=" + (internalToken == null ? "none" : "(set)")
                + ", timeout=" + timeout + ", cacheTtl=" + cacheTtl + ", maxStaleness=" + maxStaleness
                + ", circuitBreaker=" + circuitBreaker + "]";
    }

    /**
     * The circuit breaker in front of auth-service (resilience4j, count-based window).
     *
     * @param failureRateThreshold the percentage of failed calls in the window that opens the circuit
     * @param slidingWindowSize how many recent calls the failure rate is computed over
     * @param minimumNumberOfCalls how many calls the window needs before the rate counts
     * @param waitDurationInOpenState how long an open circuit refuses calls before letting a few through
     * @param permittedCallsInHalfOpenState how many trial calls decide whether to close the circuit again
     */
    public record CircuitBreakerProperties(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("20") int slidingWindowSize,
            @DefaultValue("5") int minimumNumberOfCalls,
            @DefaultValue("5s") Duration waitDurationInOpenState,
            @DefaultValue("3") int permittedCallsInHalfOpenState) {

        public static final CircuitBreakerProperties DEFAULTS = new CircuitBreakerProperties(50, 20, 5,
                Duration.ofSeconds(5), 3);

        void check(List<String> problems) {
            if (failureRateThreshold <= 0 || failureRateThreshold > 100) {
                problems.add("herald.auth.circuit-breaker.failure-rate-threshold must be in (0, 100]");
            }
            if (slidingWindowSize < 1 || minimumNumberOfCalls < 1 || permittedCallsInHalfOpenState < 1) {
                problems.add("herald.auth.circuit-breaker sizes and counts must be positive");
            }
            if (waitDurationInOpenState == null || waitDurationInOpenState.isNegative()
                    || waitDurationInOpenState.isZero()) {
                problems.add("herald.auth.circuit-breaker.wait-duration-in-open-state must be positive");
            }
        }
    }
}
