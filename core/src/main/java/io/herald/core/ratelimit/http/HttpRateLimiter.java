package io.herald.core.ratelimit.http;

import io.herald.core.ratelimit.LeaseWire;
import io.herald.core.ratelimit.RateLimiter;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The {@link RateLimiter} of a node pointed at rate-limit-service ({@code herald.ratelimit.url}):
 * each decision is one {@code POST /ratelimit/v1/leases/acquire} or {@code …/release} with the
 * internal token as a bearer token. Every call has {@code timeout} (connect and response); a
 * failure fails the {@code Mono}, and the caller ({@link io.herald.core.ratelimit.LeasedRateLimiter},
 * which also holds the circuit breaker) falls back to its local share. Time is the service's clock.
 */
public final class HttpRateLimiter implements RateLimiter {

    /** The lease API's paths under the service's URL. */
    public static final String ACQUIRE = "/ratelimit/v1/leases/acquire";
    public static final String RELEASE = "/ratelimit/v1/leases/release";

    private final WebClient client;
    private final Duration timeout;

    public HttpRateLimiter(URI url, String internalToken, Duration timeout) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(internalToken, "internalToken");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .responseTimeout(timeout);
        this.client = WebClient.builder()
                .baseUrl(url.toString())
                .clientConnector(new ReactorClientHttpConnector(http))
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + internalToken)
                .build();
    }

    @Override
    public Mono<Grant> acquire(Quota quota, long units) {
        Objects.requireNonNull(quota, "quota");
        if (units < 1) {
            return Mono.error(new IllegalArgumentException("units must be at least 1"));
        }
        return post(ACQUIRE, LeaseWire.request(quota, units, 0)).map(LeaseWire::readGrant);
    }

    @Override
    public Mono<Void> release(Quota quota, Grant grant, long units) {
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(grant, "grant");
        if (units < 1) {
            return Mono.empty();
        }
        return post(RELEASE, LeaseWire.request(quota, units, grant.window())).then();
    }

    private Mono<byte[]> post(String path, byte[] body) {
        return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .retrieve()
                .bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .timeout(timeout);
    }
}
