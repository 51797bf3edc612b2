package io.herald.publish.web;

import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.protocol.PusherCodec;
import io.herald.publish.PublishMeters;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns every failure of the HTTP API routes into a response, so nothing reaches the global
 * error handling that the edge shares in the standalone server.
 *
 * <p>The body is {@code {"error":"<message>","status":<status>}} as {@code application/json}: the
 * message says what to change. A 503 carries {@code Retry-After} in seconds. Anything unexpected
 * is a 500 whose body says nothing about the cause (the cause is logged); bad input never ends
 * up there. Every error is counted in {@code herald.publish.errors} by status.
 */
public final class ApiErrorFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorFilter.class);

    private final PublishMeters meters;

    public ApiErrorFilter(PublishMeters meters) {
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        return Mono.defer(() -> next.handle(request)).onErrorResume(ex -> respond(request, ex));
    }

    private Mono<ServerResponse> respond(ServerRequest request, Throwable ex) {
        int status;
        String message;
        Long retryAfterSeconds = null;
        if (ex instanceof ApiException api) {
            status = api.status();
            message = api.getMessage();
            if (api.retryAfter() != null) {
                long seconds = api.retryAfter().toSeconds() + (api.retryAfter().toNanosPart() > 0 ? 1 : 0);
                retryAfterSeconds = Math.max(1, seconds);
            }
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
            log.error("Unexpected failure handling {} {}", request.method().name(), request.requestPath().value(), ex);
        }
        if (status != 500) {
            // Debug only: bad requests and shard outages are the caller's news, and an outage is logged by the broker.
            log.debug("{} {} answered {}: {}", request.method().name(), request.requestPath().value(), status, message);
        }
        meters.error(status);
        ObjectNode body = PusherCodec.json().createObjectNode();
        body.put("error", message);
        body.put("status", status);
        ServerResponse.BodyBuilder response = ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON);
        if (retryAfterSeconds != null) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds));
        }
        return response.bodyValue(PusherCodec.json().writeValueAsBytes(body));
    }
}
