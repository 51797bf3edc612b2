package io.herald.core.web;

import io.herald.core.app.AppConflictException;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.redis.RedisUnavailableException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.node.ObjectNode;

/**
 * How every Herald HTTP service answers a failed request: {@code {"error":"…","status":n}} as
 * {@code application/json}, with {@code Retry-After} (seconds) when the failure says when to
 * retry. {@link ApiException} carries its own status; a taken id or key is 409, a body that is
 * not JSON 400, a body over the limit 413; the state Redis unreachable
 * ({@link RedisUnavailableException}, e.g. an app that is not cached cannot be looked up) 503 with
 * {@code Retry-After}; anything unexpected is a 500 whose body says nothing about the cause (the
 * cause is logged). Used as a route filter, so errors never reach the
 * server-wide error handling another service may share in one process.
 */
public final class ApiErrorResponses implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    /** The {@code Retry-After} of an outage when the service configures none. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

    private final Logger log;
    private final IntConsumer onStatus;
    private final Duration unavailableRetryAfter;

    /**
     * @param log where unexpected failures are logged (with their cause) and others at debug
     * @param onStatus called with each error status, e.g. to count it
     */
    public ApiErrorResponses(Logger log, IntConsumer onStatus) {
        this(log, onStatus, DEFAULT_RETRY_AFTER);
    }

    /**
     * @param unavailableRetryAfter the {@code Retry-After} of a 503 for the state Redis being
     *        unreachable; positive
     */
    public ApiErrorResponses(Logger log, IntConsumer onStatus, Duration unavailableRetryAfter) {
        this.log = log;
        this.onStatus = onStatus;
        this.unavailableRetryAfter = Objects.requireNonNull(unavailableRetryAfter, "unavailableRetryAfter");
        if (unavailableRetryAfter.isNegative() || unavailableRetryAfter.isZero()) {
            throw new IllegalArgumentException("unavailableRetryAfter must be positive");
        }
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        return Mono.defer(() -> next.handle(request)).onErrorResume(ex -> respond(request, ex));
    }

    private Mono<ServerResponse> respond(ServerRequest request, Throwable ex) {
        Answer answer = answer(request.method().name(), request.requestPath().value(), ex);
        ServerResponse.BodyBuilder response = ServerResponse.status(answer.status())
                .contentType(MediaType.APPLICATION_JSON);
        if (answer.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(answer.retryAfterSeconds()));
        }
        return response.bodyValue(answer.body());
    }

    /**
     * The answer to a request of {@code method} on {@code path} that failed with {@code ex}: what
     * {@link #filter} responds with, for a server layer below Spring's (the HTTP API's Reactor Netty
     * route), which must answer exactly as the filter does. Logs and reports the status as the filter
     * does; the caller writes the answer as {@code application/json}.
     */
    public Answer answer(String method, String path, Throwable ex) {
        int status;
        String message;
        Long retryAfterSeconds = null;
        if (ex instanceof ApiException api) {
            status = api.status();
            message = api.getMessage();
            if (api.retryAfter() != null) {
                retryAfterSeconds = seconds(api.retryAfter());
            }
        }
        else if (ex instanceof RedisUnavailableException) {
            // Its message names the target; the body does not (no address for strangers).
            status = ApiError.SERVICE_UNAVAILABLE.status();
            retryAfterSeconds = seconds(unavailableRetryAfter);
            message = "The state Redis is temporarily unavailable; retry after " + retryAfterSeconds + " s";
        }
        else if (ex instanceof AppConflictException conflict) {
            status = ApiError.CONFLICT.status();
            message = conflict.getMessage();
        }
        else if (ex instanceof JacksonException) {
            status = ApiError.BAD_REQUEST.status();
            message = "The body is not valid JSON";
        }
        else if (ex instanceof DataBufferLimitException) {
            status = ApiError.PAYLOAD_TOO_LARGE.status();
            message = "Request body too large";
        }
        else if (ex instanceof ResponseStatusException rse) {
            status = rse.getStatusCode().value();
            message = rse.getReason() != null ? rse.getReason() : "Request rejected";
        }
        else {
            status = 500;
            message = "Internal server error";
            log.error("Unexpected failure handling {} {}", method, path, ex);
        }
        if (status != 500) {
            // Debug only: bad requests are the caller's news; outages are logged where they are seen.
            log.debug("{} {} answered {}: {}", method, path, status, message);
        }
        onStatus.accept(status);
        return new Answer(status, body(message, status), retryAfterSeconds);
    }

    /**
     * A failed request's answer.
     *
     * @param status the HTTP status
     * @param body the JSON error body ({@link #body})
     * @param retryAfterSeconds the {@code Retry-After} header's value, or {@code null} for none
     */
    public record Answer(int status, byte[] body, Long retryAfterSeconds) {

        public Answer {
            Objects.requireNonNull(body, "body");
        }
    }

    /** Whole seconds, rounded up, at least 1: what {@code Retry-After} carries. */
    private static long seconds(Duration duration) {
        return Math.max(1, duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0));
    }

    /** The error body: {@code {"error":"<message>","status":<status>}}. */
    public static byte[] body(String message, int status) {
        ObjectNode body = PusherCodec.json().createObjectNode();
        body.put("error", message);
        body.put("status", status);
        return PusherCodec.json().writeValueAsBytes(body);
    }
}
