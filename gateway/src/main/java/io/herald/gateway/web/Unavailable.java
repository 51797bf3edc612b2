package io.herald.gateway.web;

import io.herald.core.web.ApiErrorResponses;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The circuit breakers' fallback: a route whose service cannot be reached (no instance up, breaker
 * open, connection refused, timeout) forwards here and the client gets 503 with Herald's JSON body,
 * {@code {"error":"<service> is unavailable","status":503}}, and {@code Retry-After: 1}.
 */
public final class Unavailable {

    /** The forward target of a route's breaker; the last segment names the service. */
    public static final String PATH = "/herald-gateway/unavailable/";

    /** The services a fallback can name; any other name under {@link #PATH} is not found. */
    public static final Set<String> SERVICES = Set.of("publish-service", "auth-service", "metrics-service");

    private Unavailable() {
    }

    /** The fallback URI of the breaker of a route to {@code service}. */
    public static String fallbackUri(String service) {
        if (!SERVICES.contains(service)) {
            throw new IllegalArgumentException("Unknown service " + service);
        }
        return "forward:" + PATH + service;
    }

    public static RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .route(request -> request.path().startsWith(PATH)
                        && SERVICES.contains(request.path().substring(PATH.length())), request -> {
                    String service = request.path().substring(PATH.length());
                    return ServerResponse.status(503)
                            .contentType(MediaType.APPLICATION_JSON)
                            .header("Retry-After", Long.toString(ApiErrorResponses.DEFAULT_RETRY_AFTER.toSeconds()))
                            .bodyValue(ApiErrorResponses.body(service + " is unavailable", 503));
                })
                .build();
    }
}
