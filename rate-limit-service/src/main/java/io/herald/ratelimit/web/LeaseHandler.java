package io.herald.ratelimit.web;

import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.ratelimit.LeaseWire;
import io.herald.core.ratelimit.LeaseWire.LeaseRequest;
import io.herald.core.ratelimit.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The lease API ({@code POST /ratelimit/v1/leases/acquire} and {@code …/release}, JSON of
 * {@link LeaseWire}) over this process's shared {@link RateLimiter}; every call needs
 * {@code Authorization: Bearer <herald.ratelimit.internal-token>} (compared in constant time),
 * else 401. A bad body is a 400; an unreachable state Redis a 503 with {@code Retry-After}, which
 * callers treat like any failure: they fall back to their local share.
 */
public final class LeaseHandler {

    private final RateLimiter limiter;
    private final byte[] token;

    public LeaseHandler(RateLimiter limiter, String internalToken) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.token = ("Bearer " + Objects.requireNonNull(internalToken, "internalToken"))
                .getBytes(StandardCharsets.UTF_8);
    }

    public Mono<ServerResponse> acquire(ServerRequest request) {
        return read(request).flatMap(lease -> limiter.acquire(lease.quota(), lease.units()))
                .flatMap(grant -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(LeaseWire.grant(grant)));
    }

    public Mono<ServerResponse> release(ServerRequest request) {
        return read(request).flatMap(lease -> limiter.release(lease.quota(),
                        new RateLimiter.Grant(lease.units(), java.time.Duration.ZERO, lease.window()), lease.units()))
                .then(ServerResponse.noContent().build());
    }

    private Mono<LeaseRequest> read(ServerRequest request) {
        String header = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !MessageDigest.isEqual(token, header.getBytes(StandardCharsets.UTF_8))) {
            return Mono.error(ApiError.UNAUTHORIZED.exception("The lease API needs the internal token as a bearer token"));
        }
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).map(body -> {
            try {
                return LeaseWire.readRequest(body);
            }
            catch (IllegalArgumentException ex) {
                throw new ApiException(ApiError.BAD_REQUEST, ex.getMessage());
            }
        });
    }
}
