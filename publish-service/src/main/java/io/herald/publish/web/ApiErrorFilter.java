package io.herald.publish.web;

import io.herald.core.web.ApiErrorResponses;
import io.herald.publish.PublishMeters;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Turns every failure of the HTTP API routes into a response, so nothing reaches the global
 * error handling that the edge shares in the standalone server.
 *
 * <p>The responses are those of every Herald HTTP service ({@link ApiErrorResponses}); here every
 * error is also counted in {@code herald.publish.errors} by status.
 */
public final class ApiErrorFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorFilter.class);

    private final ApiErrorResponses responses;
    private final PublishMeters meters;

    public ApiErrorFilter(PublishMeters meters) {
        this(meters, ApiErrorResponses.DEFAULT_RETRY_AFTER);
    }

    /**
     * @param retryAfter the {@code Retry-After} of a 503 because the state Redis is unreachable
     *        ({@code herald.publish.retry-after}, as for a shard)
     */
    public ApiErrorFilter(PublishMeters meters, Duration retryAfter) {
        this.meters = Objects.requireNonNull(meters, "meters");
        this.responses = new ApiErrorResponses(log, meters::error, retryAfter);
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        // Counted once the request is answered, and only if the authenticator accepted it (a known app).
        return responses.filter(request, next).doFinally(signal -> answered(
                request.attributes().get(RequestAuthenticator.APP_ATTRIBUTE) instanceof String appId ? appId : null));
    }

    /**
     * The answer to a failed request on a server layer below Spring's ({@link PublishNettyRoutes}):
     * the status, body and {@code Retry-After} this filter would respond with, counted alike.
     */
    public ApiErrorResponses.Answer answer(String method, String path, Throwable ex) {
        return responses.answer(method, path, ex);
    }

    /**
     * A request was answered (or abandoned by its client); {@code appId} is the app whose signed
     * request it was ({@link ApiRequest#accepted}), or {@code null} when none was accepted, which
     * counts nothing.
     */
    public void answered(String appId) {
        if (appId != null) {
            meters.apiRequest(appId);
        }
    }
}
