package io.herald.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's configuration ({@code herald.gateway.*}): where the instances of each service are,
 * and the limits and resilience settings of the routes.
 *
 * @param edges the edge instances ({@code http://host:port}) that {@code /app/**} WebSocket connections go to
 * @param publishers the publish instances that the HTTP API {@code /apps/**} goes to
 * @param auth the auth-service instances that the admin API {@code /admin/**} goes to
 * @param metrics the metrics-service instances that {@link #metricsPaths} go to (none yet: those paths answer 503)
 * @param metricsPaths the path patterns served by metrics-service (usage API and dashboard)
 * @param maxRequestSize the largest request body (by {@code Content-Length}) the gateway forwards; larger get 413
 * @param timeout how long an HTTP request may take at a service before the gateway answers 503 (not WebSockets)
 * @param retries how many times a failed idempotent {@code GET} is retried on another instance (never a POST)
 * @param breaker the circuit breaker of each HTTP route
 * @param drainPeriod on shutdown, the time over which the proxied WebSocket clients are told to
 *        reconnect (closed with 4200, which the gateway forwards to their edge), so that they
 *        move to another gateway without stampeding it (zero or more)
 * @param drainTimeout on shutdown, the longest wait for those WebSockets to end (at least the drain period)
 */
@ConfigurationProperties("herald.gateway")
public record GatewayProperties(
        @DefaultValue List<URI> edges,
        @DefaultValue List<URI> publishers,
        @DefaultValue List<URI> auth,
        @DefaultValue List<URI> metrics,
        @DefaultValue({ "/usage/**", "/dashboard/**" }) List<String> metricsPaths,
        @DefaultValue("1MB") DataSize maxRequestSize,
        @DefaultValue("10s") Duration timeout,
        @DefaultValue("2") int retries,
        @DefaultValue Breaker breaker,
        @DefaultValue("3s") Duration drainPeriod,
        @DefaultValue("5s") Duration drainTimeout) {

    public GatewayProperties {
        edges = List.copyOf(edges);
        publishers = List.copyOf(publishers);
        auth = List.copyOf(auth);
        metrics = List.copyOf(metrics);
        metricsPaths = List.copyOf(metricsPaths);
        Objects.requireNonNull(maxRequestSize, "maxRequestSize");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(drainPeriod, "drainPeriod");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        List<String> problems = new ArrayList<>();
        for (List<URI> uris : List.of(edges, publishers, auth, metrics)) {
            for (URI uri : uris) {
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    problems.add("herald.gateway instance " + uri + " must be http(s)://host:port");
                }
            }
        }
        if (maxRequestSize.toBytes() <= 0) {
            problems.add("herald.gateway.max-request-size must be positive");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            problems.add("herald.gateway.timeout must be positive");
        }
        if (retries < 0) {
            problems.add("herald.gateway.retries must be 0 or more");
        }
        if (drainPeriod.isNegative()) {
            problems.add("herald.gateway.drain-period must be zero or more");
        }
        if (drainTimeout.compareTo(drainPeriod) < 0) {
            problems.add("herald.gateway.drain-timeout must be at least herald.gateway.drain-period");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid gateway configuration: " + String.join("; ", problems));
        }
    }

    /**
     * A route's circuit breaker (resilience4j): it opens when at least {@code failureRateThreshold}
     * percent of the last {@code windowSize} calls (and at least {@code minimumCalls}) failed or
     * timed out, answers 503 at once while open, and lets a few calls through after {@code openFor}.
     *
     * @param failureRateThreshold percent of failed calls that opens the breaker
     * @param windowSize how many recent calls the rate is computed over
     * @param minimumCalls how many calls are needed before the rate counts
     * @param openFor how long the breaker stays open before trying again
     */
    public record Breaker(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("20") int windowSize,
            @DefaultValue("10") int minimumCalls,
            @DefaultValue("10s") Duration openFor) {

        public Breaker {
            Objects.requireNonNull(openFor, "openFor");
            if (failureRateThreshold <= 0 || failureRateThreshold > 100 || windowSize < 1 || minimumCalls < 1) {
                throw new IllegalArgumentException("Invalid gateway configuration: herald.gateway.breaker needs "
                        + "0 < failure-rate-threshold <= 100, window-size >= 1, minimum-calls >= 1");
            }
        }
    }
}
