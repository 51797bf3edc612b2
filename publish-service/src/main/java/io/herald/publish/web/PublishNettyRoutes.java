package io.herald.publish.web;

import io.herald.core.names.Names;
import io.herald.core.web.ApiErrorResponses;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The HTTP API's publish endpoints, {@code POST /apps/{app_id}/events} and
 * {@code POST /apps/{app_id}/batch_events}, served on a Reactor Netty route below Spring's
 * dispatcher: Spring Boot's {@link NettyRouteProvider} hook, which puts this route in front of the
 * server's Spring handler, to which everything this route does not claim goes unchanged.
 *
 * <p>Why: a signed publish cost ~80 µs of CPU through WebFlux, most of it Spring's own per-request
 * work (the exchange, a {@code java.net.URI} parse, the handler mappings tried in turn) rather than
 * Herald's (docs/architecture.md, "The HTTP API below the Spring dispatcher"). The API's logic is not
 * here: the request is adapted ({@link NettyApiRequest}) and handed to the same
 * {@link PublishHandler} the WebFlux routes ({@link PublishRoutes}) call, and a failure is answered
 * by the same {@link ApiErrorFilter} (status, body, {@code Retry-After}, {@code herald.publish.errors},
 * usage counting) — one implementation, two doors.
 *
 * <p>Claimed: only {@code POST} on a path that is exactly {@code /apps/<app id>/events} or
 * {@code /apps/<app id>/batch_events}, the app id made of the characters an app id may have
 * ({@link Names#isValidAppId}), as the official SDKs send it. Any other method, an encoded
 * character, a trailing slash or an absolute-form request line goes to Spring, which answers it as
 * before (405, 404, …). Runs on the event loop that read the request; nothing blocks.
 */
public final class PublishNettyRoutes implements NettyRouteProvider {

    private static final String PREFIX = "/apps/";
    private static final String EVENTS = "/events";
    private static final String BATCH_EVENTS = "/batch_events";

    private final PublishHandler handler;
    private final ApiErrorFilter errors;

    public PublishNettyRoutes(PublishHandler handler, ApiErrorFilter errors) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(request -> HttpMethod.POST.equals(request.method()) && appIdEnd(pathOf(request.uri())) > 0,
                this::handle);
    }

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        String uri = request.uri();
        String path = pathOf(uri);
        int appIdEnd = appIdEnd(path);
        String rawQuery = null;
        if (path.length() < uri.length() && uri.charAt(path.length()) == '?') {
            int fragment = uri.indexOf('#', path.length());
            rawQuery = uri.substring(path.length() + 1, fragment < 0 ? uri.length() : fragment);
        }
        NettyApiRequest api = new NettyApiRequest(request, path, path.substring(PREFIX.length(), appIdEnd), rawQuery);
        boolean batch = path.endsWith(BATCH_EVENTS);
        return Mono.defer(() -> batch ? handler.batchEvents(api) : handler.events(api))
                .flatMap(body -> send(response, HttpResponseStatus.OK.code(), body, null))
                .onErrorResume(ex -> {
                    ApiErrorResponses.Answer answer = errors.answer(api.method(), path, ex);
                    return send(response, answer.status(), answer.body(), answer.retryAfterSeconds());
                })
                .doFinally(signal -> errors.answered(api.acceptedAppId()));
    }

    private static Mono<Void> send(HttpServerResponse response, int status, byte[] body, Long retryAfterSeconds) {
        HttpHeaders headers = response.responseHeaders();
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (retryAfterSeconds != null) {
            headers.set(HttpHeaderNames.RETRY_AFTER, String.valueOf(retryAfterSeconds));
        }
        return response.status(status).sendObject(Unpooled.wrappedBuffer(body)).then();
    }

    /** The request line's path: up to the query or fragment. */
    static String pathOf(String uri) {
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return end == uri.length() ? uri : uri.substring(0, end);
    }

    /**
     * Where the app id of a claimed path ends ({@code /apps/<app id>/events} or
     * {@code …/batch_events}), or {@code -1} for a path this route leaves to Spring.
     */
    static int appIdEnd(String path) {
        if (!path.startsWith(PREFIX)) {
            return -1;
        }
        int slash = path.indexOf('/', PREFIX.length());
        if (slash < 0) {
            return -1;
        }
        int restLength = path.length() - slash;
        boolean endpoint = (restLength == EVENTS.length() && path.startsWith(EVENTS, slash))
                || (restLength == BATCH_EVENTS.length() && path.startsWith(BATCH_EVENTS, slash));
        return endpoint && Names.isValidAppId(path.substring(PREFIX.length(), slash)) ? slash : -1;
    }
}
