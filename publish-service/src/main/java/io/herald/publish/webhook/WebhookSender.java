package io.herald.publish.webhook;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.herald.core.signature.Hmac;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Sends one signed webhook request and says whether the endpoint took it: a
 * {@code POST} of the body with {@code Content-Type: application/json}, {@code X-Pusher-Key} (the
 * app's key) and {@code X-Pusher-Signature} (lower-case hex HMAC-SHA256 of the body with the app's
 * secret), as Pusher sends them.
 *
 * <p>Every endpoint URL has its own resilience4j circuit breaker: non-2XX answers, timeouts and
 * connection failures count as failures; while the breaker is open, {@link #send} fails at once
 * without a request ({@link WebhookDeliveryException#wasRefused()}). It stays open for
 * {@code wait-in-open}, measured on the given clock; then the first {@link #send} is the one
 * trial request (the probe), and other sends are refused until it is answered. A failed probe
 * opens it again for twice as long, up to {@code max-wait-in-open}; a successful one closes it.
 * The HTTP client has its own event loops and connection pool, so webhook traffic never competes
 * with the API server's loops, and never blocks a thread.
 */
public class WebhookSender implements AutoCloseable {

    /** Event-loop threads for webhook requests: I/O bound and light; two keep one slow TLS handshake from holding up the rest. */
    private static final int LOOP_THREADS = 2;

    /** Open connections kept per endpoint host. */
    private static final int MAX_CONNECTIONS_PER_HOST = 50;

    private final LoopResources loops;
    private final ConnectionProvider connections;
    private final HttpClient client;
    private final Duration timeout;
    private final CircuitBreakerRegistry breakers;

    /** A sender whose circuit breakers measure their open wait on the system clock. */
    public WebhookSender(WebhookDispatcherProperties properties) {
        this(properties, Clock.systemUTC());
    }

    /** A sender whose circuit breakers measure their open wait on {@code clock}. */
    public WebhookSender(WebhookDispatcherProperties properties, Clock clock) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(clock, "clock");
        this.timeout = properties.requestTimeout();
        this.loops = LoopResources.create("herald-webhook", LOOP_THREADS, true);
        this.connections = ConnectionProvider.builder("herald-webhooks")
                .maxConnections(MAX_CONNECTIONS_PER_HOST)
                .pendingAcquireMaxCount(-1)
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        this.client = HttpClient.create(connections)
                .runOn(loops)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE))
                .responseTimeout(timeout);
        WebhookDispatcherProperties.CircuitBreaker cb = properties.circuitBreaker();
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(cb.failureRateThreshold())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(cb.slidingWindow())
                .minimumNumberOfCalls(cb.minimumCalls())
                // resilience4j counts the times it opened without closing in between: the wait grows with them.
                .waitIntervalFunctionInOpenState(IntervalFunction.ofExponentialBackoff(cb.waitInOpen(), 2,
                        cb.maxWaitInOpen()))
                .permittedNumberOfCallsInHalfOpenState(1)
                .clock(clock)
                .writableStackTraceEnabled(false)
                .build());
        // The first HMAC loads the JCA provider (class loading, file reads): do it here, not on an event loop.
        Hmac.sha256Hex("warm-up", new byte[0]);
    }

    /**
     * POSTs {@code body} to {@code url}, signed. Completes empty on a 2XX; fails with a
     * {@link WebhookDeliveryException} otherwise (status 0 for no answer or an open circuit).
     */
    public Mono<Void> send(URI url, String key, String secret, byte[] body) {
        return sendForStatus(url, key, secret, body).then();
    }

    /** As {@link #send}, completing with the 2XX status the endpoint answered. */
    public Mono<Integer> sendForStatus(URI url, String key, String secret, byte[] body) {
        String signature = Hmac.sha256Hex(secret, body);
        CircuitBreaker breaker = breakers.circuitBreaker(url.toString());
        Mono<Integer> request = client
                .headers(headers -> headers
                        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .set("X-Pusher-Key", key)
                        .set("X-Pusher-Signature", signature))
                .post()
                .uri(url)
                .send(Mono.fromCallable(() -> Unpooled.wrappedBuffer(body)))
                .response()
                .timeout(timeout)
                .flatMap(response -> {
                    int status = response.status().code();
                    return status >= 200 && status < 300 ? Mono.just(status)
                            : Mono.error(new WebhookDeliveryException(status, "HTTP " + status));
                });
        return request.transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(ex -> !(ex instanceof WebhookDeliveryException), this::describe);
    }

    /** The state of an endpoint's circuit breaker (for tests and diagnostics). */
    public CircuitBreaker.State circuitState(URI url) {
        return breakers.circuitBreaker(url.toString()).getState();
    }

    private WebhookDeliveryException describe(Throwable ex) {
        if (ex instanceof CallNotPermittedException) {
            return WebhookDeliveryException.refused();
        }
        if (ex instanceof TimeoutException || ex instanceof io.netty.handler.timeout.ReadTimeoutException) {
            return new WebhookDeliveryException(0, "no response within " + timeout.toMillis() + " ms");
        }
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        return new WebhookDeliveryException(0, "request failed: " + message);
    }

    @Override
    public void close() {
        // No quiet period: requests still in flight at shutdown are abandoned (their events stay queued).
        connections.disposeLater().then(loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)))
                .block(Duration.ofSeconds(10));
    }
}
