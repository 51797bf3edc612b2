package io.herald.core.auth.http;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.herald.core.auth.AuthProperties;
import io.herald.core.auth.AuthUnavailableException;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The HTTP connection of a service to auth-service's {@code /internal/v1} API, shared by
 * {@link HttpAppStore} and {@link HttpAuthVerifier}: the base URL, the internal token, one
 * timeout per call and one resilience4j circuit breaker for both (when auth-service is down,
 * both kinds of call fail, so one breaker learns it once).
 *
 * <p>Failure mapping ({@link #call}): a timeout, a refused connection, a 5xx, a 401/403 (a
 * misconfigured internal token) and an open circuit all become {@link AuthUnavailableException},
 * which callers turn into a retryable error. Fail closed: nothing is ever allowed because
 * auth-service could not be asked. The token never appears in a message.
 */
public final class AuthServiceClient {

    /** The circuit breaker's name, as metrics and logs show it. */
    public static final String BREAKER_NAME = "auth-service";

    private final WebClient webClient;
    private final CircuitBreaker breaker;
    private final Duration timeout;

    public AuthServiceClient(AuthProperties properties) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(properties.url(), "herald.auth.url");
        this.timeout = properties.timeout();
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .responseTimeout(timeout);
        this.webClient = WebClient.builder()
                .baseUrl(properties.url().toString())
                .clientConnector(new ReactorClientHttpConnector(http))
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + properties.internalToken())
                .build();
        AuthProperties.CircuitBreakerProperties cb = properties.circuitBreaker();
        this.breaker = CircuitBreaker.of(BREAKER_NAME, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(cb.failureRateThreshold())
                .slidingWindowSize(cb.slidingWindowSize())
                .minimumNumberOfCalls(cb.minimumNumberOfCalls())
                .waitDurationInOpenState(cb.waitDurationInOpenState())
                .permittedNumberOfCallsInHalfOpenState(cb.permittedCallsInHalfOpenState())
                .build());
    }

    /** The client, with base URL and token; for calls that are not single answers (the change stream). */
    public WebClient webClient() {
        return webClient;
    }

    /** The breaker, for health and tests. */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    /**
     * One call: with the timeout, through the circuit breaker, failures mapped to
     * {@link AuthUnavailableException}. An empty answer is a success.
     */
    public <T> Mono<T> call(Mono<T> request, String what) {
        return request.timeout(timeout)
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(ex -> !(ex instanceof AuthUnavailableException), ex -> unavailable(ex, what));
    }

    /**
     * One request outside the circuit breaker, made when the service starts: it opens a pooled
     * connection and warms the client up (the first call of a cold JVM is several times slower
     * than the next ones and would eat into the first user's timeout), and tells the operator at
     * once whether auth-service answers and accepts the internal token. Completes empty when it
     * does; errors with {@link AuthUnavailableException} saying why not.
     */
    public Mono<Void> probe() {
        return webClient.get().uri("/internal/v1/apps/by-key/{key}", "herald-start-up-probe")
                .retrieve()
                .toBodilessEntity()
                .then()
                // No app has that key: 404 is the expected answer.
                .onErrorResume(WebClientResponseException.NotFound.class, ex -> Mono.empty())
                .timeout(timeout)
                .onErrorMap(ex -> unavailable(ex, "the start-up check"));
    }

    private static AuthUnavailableException unavailable(Throwable ex, String what) {
        String why;
        if (ex instanceof CallNotPermittedException) {
            why = "circuit open after repeated failures";
        }
        else if (ex instanceof TimeoutException) {
            why = "no answer in time";
        }
        else if (ex instanceof WebClientResponseException response) {
            int status = response.getStatusCode().value();
            why = status == 401 || status == 403 ? "it refused the internal token (check herald.auth.internal-token)"
                    : "it answered " + status;
        }
        else {
            why = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        }
        return new AuthUnavailableException("auth-service unavailable for " + what + ": " + why, ex);
    }
}
