package io.herald.publish.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The routes of the Pusher HTTP API served here. Only these paths are claimed, so the routes sit
 * next to the edge's WebSocket endpoint ({@code /app/{key}}) in one server; their errors are
 * answered by {@link ApiErrorFilter}, never by a global handler. The publishes themselves are
 * normally taken before Spring by {@link PublishNettyRoutes}; these routes answer them when that
 * route is off ({@code herald.http.observe-pusher-paths=true}) and answer every request it does not
 * claim (another method, a path that is not plain).
 */
public final class PublishRoutes {

    public static final String EVENTS = "/apps/{app_id}/events";
    public static final String BATCH_EVENTS = "/apps/{app_id}/batch_events";

    private PublishRoutes() {
    }

    public static RouterFunction<ServerResponse> routes(PublishHandler handler, ApiErrorFilter errors) {
        return RouterFunctions.route()
                .POST(EVENTS, handler::events)
                .POST(BATCH_EVENTS, handler::batchEvents)
                .route(path(EVENTS).or(path(BATCH_EVENTS)), handler::methodNotAllowed)
                .filter(errors)
                .build();
    }
}
