package io.herald.auth.web;

import io.herald.core.app.AppConflictException;
import io.herald.core.protocol.PusherCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
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
 * Turns every failure of auth-service's routes into {@code {"error":"…","status":n}}: 400 for bad
 * input (with every problem found), 404 unknown app, 409 id or key taken, 500 (cause logged, not
 * shown) for anything unexpected. Messages never contain secrets or tokens: they are built from
 * field names and ids only.
 */
public final class JsonErrorFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final Logger log = LoggerFactory.getLogger(JsonErrorFilter.class);

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        return Mono.defer(() -> next.handle(request)).onErrorResume(ex -> respond(request, ex));
    }

    private Mono<ServerResponse> respond(ServerRequest request, Throwable ex) {
        int status;
        String message;
        if (ex instanceof ApiProblem problem) {
            status = problem.status();
            message = problem.getMessage();
        }
        else if (ex instanceof AppConflictException conflict) {
            status = 409;
            message = conflict.getMessage();
        }
        else if (ex instanceof JacksonException) {
            status = 400;
            message = "The body is not valid JSON";
        }
        else if (ex instanceof DataBufferLimitException) {
            status = 413;
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
            log.debug("{} {} answered {}: {}", request.method().name(), request.requestPath().value(), status, message);
        }
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(body(message, status));
    }

    static byte[] body(String message, int status) {
        ObjectNode body = PusherCodec.json().createObjectNode();
        body.put("error", message);
        body.put("status", status);
        return PusherCodec.json().writeValueAsBytes(body);
    }
}
