package io.herald.publish.query;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import io.herald.publish.web.ApiErrorFilter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The routes of the channel queries: GET only (405 otherwise), errors answered by
 * {@link ApiErrorFilter} like the publish routes.
 */
public final class ChannelQueryRoutes {

    public static final String CHANNELS = "/apps/{app_id}/channels";
    public static final String CHANNEL = "/apps/{app_id}/channels/{channel_name}";
    public static final String USERS = "/apps/{app_id}/channels/{channel_name}/users";

    private ChannelQueryRoutes() {
    }

    public static RouterFunction<ServerResponse> routes(ChannelQueryHandler handler, ApiErrorFilter errors) {
        return RouterFunctions.route()
                .GET(USERS, handler::users)
                .GET(CHANNEL, handler::channel)
                .GET(CHANNELS, handler::channels)
                .route(path(USERS).or(path(CHANNEL)).or(path(CHANNELS)), handler::methodNotAllowed)
                .filter(errors)
                .build();
    }
}
