package io.herald.publish.user;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import io.herald.core.broker.Broker;
import io.herald.core.broker.BrokerUnavailableException;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.MessageIds;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.names.Names;
import io.herald.publish.web.ApiErrorFilter;
import io.herald.publish.web.RequestAuthenticator;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code POST /apps/{app_id}/users/{user_id}/terminate_connections}: closes every connection of
 * a signed-in user on every edge node (with {@code pusher:error} 4009); the user may connect
 * again. The command travels on the user's {@code #server-to-user-{id}} channel, which every
 * edge holding a connection of that user is subscribed to.
 */
public final class UserRoutes {

    private static final Logger log = LoggerFactory.getLogger(UserRoutes.class);

    public static final String TERMINATE = "/apps/{app_id}/users/{user_id}/terminate_connections";

    private final RequestAuthenticator authenticator;
    private final Broker broker;
    private final Duration retryAfter;

    public UserRoutes(RequestAuthenticator authenticator, Broker broker, Duration retryAfter) {
        this.authenticator = authenticator;
        this.broker = broker;
        this.retryAfter = retryAfter;
    }

    public RouterFunction<ServerResponse> routes(ApiErrorFilter errors) {
        return RouterFunctions.route()
                .POST(TERMINATE, this::terminate)
                .route(path(TERMINATE), request -> Mono.error(ApiError.METHOD_NOT_ALLOWED.exception(
                        request.method().name() + " is not supported on " + request.path() + "; use POST")))
                .filter(errors)
                .build();
    }

    Mono<ServerResponse> terminate(ServerRequest request) {
        return authenticator.authenticate(request).flatMap(signed -> {
            String userId = request.pathVariable("user_id");
            String problem = Names.publishChannelNameProblem(Names.SERVER_TO_USER_PREFIX + userId);
            if (problem != null) {
                return Mono.error(ApiError.BAD_REQUEST.exception(problem));
            }
            ChannelKey channel = new ChannelKey(signed.app().id(), Names.SERVER_TO_USER_PREFIX + userId);
            return broker.publish(Envelope.terminateUser(channel, MessageIds.next()))
                    .onErrorMap(BrokerUnavailableException.class, ex -> new ApiException(ApiError.SERVICE_UNAVAILABLE,
                            "The user's channel is on a Redis shard that is unavailable; retry later", retryAfter, ex))
                    .doOnSuccess(done -> log.info("Terminating the connections of user {} of app {}", userId,
                            signed.app().id()))
                    .then(ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue("{}"));
        });
    }
}
