package io.herald.publish.query;

import io.herald.core.app.App;
import io.herald.core.broker.ChannelKey;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.names.ChannelType;
import io.herald.core.names.Names;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.ChannelSummary;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.state.ChannelStateUnavailableException;
import io.herald.publish.InfoAttribute;
import io.herald.publish.web.RequestAuthenticator;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The channel queries of Pusher's HTTP API, answered from the cluster-wide {@link ChannelState}:
 * <ul>
 * <li>{@code GET /apps/{app_id}/channels}: the occupied channels, optionally
 * {@code filter_by_prefix}, with {@code info=user_count} (only with a {@code presence-} prefix
 * filter) and/or {@code subscription_count} (only for apps that enabled it):
 * {@code {"channels":{"presence-a":{"user_count":2},"b":{}}}};</li>
 * <li>{@code GET /apps/{app_id}/channels/{channel_name}}: {@code {"occupied":true,…}} with
 * {@code info=user_count} (presence channels) and/or {@code subscription_count} (when enabled);</li>
 * <li>{@code GET /apps/{app_id}/channels/{channel_name}/users}: the members of a presence channel,
 * {@code {"users":[{"id":"1"}]}}.</li>
 * </ul>
 * Requests are signed like every other ({@link RequestAuthenticator}); a parameter Pusher would
 * refuse is a 400 saying why; when the state's Redis shard is down the answer is 503 with
 * {@code Retry-After}. Counts may be a moment behind joins and leaves happening at the same time.
 */
public final class ChannelQueryHandler {

    static final String PRESENCE_PREFIX = "presence-";

    private final RequestAuthenticator authenticator;
    private final ChannelState state;
    private final Duration retryAfter;

    public ChannelQueryHandler(RequestAuthenticator authenticator, ChannelState state, Duration retryAfter) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.state = Objects.requireNonNull(state, "state");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public Mono<ServerResponse> channels(ServerRequest request) {
        return authenticator.authenticate(request).flatMap(signed -> {
            App app = signed.app();
            String prefix = request.queryParam("filter_by_prefix").orElse("");
            Set<InfoAttribute> info = info(request, app);
            if (info.contains(InfoAttribute.USER_COUNT) && !prefix.startsWith(PRESENCE_PREFIX)) {
                throw ApiError.BAD_REQUEST.exception("info=user_count is only for presence channels: add "
                        + "filter_by_prefix=presence- (or a longer presence- prefix)");
            }
            return state.channels(app.id(), prefix)
                    // '#' channels are Herald's own (users' online records), not the app's.
                    .filter(summary -> !summary.channel().startsWith("#"))
                    .collectSortedList(Comparator.comparing(ChannelSummary::channel))
                    .map(summaries -> {
                        ObjectNode root = PusherCodec.json().createObjectNode();
                        ObjectNode channels = root.putObject("channels");
                        for (ChannelSummary summary : summaries) {
                            ObjectNode entry = channels.putObject(summary.channel());
                            if (info.contains(InfoAttribute.USER_COUNT) && summary.userCount() != null) {
                                entry.put(InfoAttribute.USER_COUNT.wireName(), summary.userCount());
                            }
                            if (info.contains(InfoAttribute.SUBSCRIPTION_COUNT)) {
                                entry.put(InfoAttribute.SUBSCRIPTION_COUNT.wireName(), summary.subscriptionCount());
                            }
                        }
                        return root;
                    });
        }).onErrorMap(ChannelStateUnavailableException.class, this::unavailable).flatMap(ChannelQueryHandler::ok);
    }

    public Mono<ServerResponse> channel(ServerRequest request) {
        return authenticator.authenticate(request).flatMap(signed -> {
            App app = signed.app();
            String name = channelName(request);
            Set<InfoAttribute> info = info(request, app);
            boolean presence = ChannelType.of(name).isPresence();
            if (info.contains(InfoAttribute.USER_COUNT) && !presence) {
                throw ApiError.BAD_REQUEST.exception("info=user_count is only for presence channels, and " + name
                        + " is not one");
            }
            ChannelKey key = new ChannelKey(app.id(), name);
            Mono<Integer> users = info.contains(InfoAttribute.USER_COUNT)
                    ? state.members(key).map(List::size)
                    : Mono.just(-1);
            return state.subscriptionCount(key).zipWith(users, (subscriptions, userCount) -> {
                ObjectNode root = PusherCodec.json().createObjectNode();
                root.put("occupied", subscriptions > 0);
                if (info.contains(InfoAttribute.USER_COUNT)) {
                    root.put(InfoAttribute.USER_COUNT.wireName(), userCount);
                }
                if (info.contains(InfoAttribute.SUBSCRIPTION_COUNT)) {
                    root.put(InfoAttribute.SUBSCRIPTION_COUNT.wireName(), subscriptions);
                }
                return root;
            });
        }).onErrorMap(ChannelStateUnavailableException.class, this::unavailable).flatMap(ChannelQueryHandler::ok);
    }

    public Mono<ServerResponse> users(ServerRequest request) {
        return authenticator.authenticate(request).flatMap(signed -> {
            String name = channelName(request);
            if (!ChannelType.of(name).isPresence()) {
                throw ApiError.BAD_REQUEST.exception("Users can only be listed for presence channels, and " + name
                        + " is not one");
            }
            return state.members(new ChannelKey(signed.app().id(), name)).map(members -> {
                ObjectNode root = PusherCodec.json().createObjectNode();
                ArrayNode users = root.putArray("users");
                members.stream().map(PresenceMember::userId).sorted().forEach(id -> users.addObject().put("id", id));
                return root;
            });
        }).onErrorMap(ChannelStateUnavailableException.class, this::unavailable).flatMap(ChannelQueryHandler::ok);
    }

    /** Any method other than GET on the query paths. */
    public Mono<ServerResponse> methodNotAllowed(ServerRequest request) {
        return Mono.error(ApiError.METHOD_NOT_ALLOWED.exception(request.method().name() + " is not supported on "
                + request.requestPath().value() + "; use GET"));
    }

    private static String channelName(ServerRequest request) {
        String name = request.pathVariable("channel_name");
        String problem = Names.channelNameProblem(name);
        if (problem != null) {
            throw ApiError.BAD_REQUEST.exception(problem);
        }
        return name;
    }

    /** The {@code info} attributes asked for; unknown ones and a disabled {@code subscription_count} are a 400. */
    private static Set<InfoAttribute> info(ServerRequest request, App app) {
        Set<InfoAttribute> attributes = EnumSet.noneOf(InfoAttribute.class);
        String info = request.queryParam("info").orElse("");
        if (info.isBlank()) {
            return attributes;
        }
        for (String part : info.split(",")) {
            InfoAttribute attribute = InfoAttribute.fromWireName(part);
            if (attribute == null) {
                throw ApiError.BAD_REQUEST.exception("Unknown info attribute \"" + part.trim()
                        + "\"; supported are user_count and subscription_count");
            }
            attributes.add(attribute);
        }
        if (attributes.contains(InfoAttribute.SUBSCRIPTION_COUNT) && !app.features().subscriptionCount()) {
            throw ApiError.BAD_REQUEST.exception("info=subscription_count is not enabled for app " + app.id()
                    + "; enable the subscription count feature in the app's settings");
        }
        return attributes;
    }

    private ApiException unavailable(ChannelStateUnavailableException ex) {
        return new ApiException(ApiError.SERVICE_UNAVAILABLE, "Channel state is temporarily unavailable; retry after "
                + Math.max(1, retryAfter.toSeconds()) + " s", retryAfter, ex);
    }

    private static Mono<ServerResponse> ok(ObjectNode body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .bodyValue(PusherCodec.json().writeValueAsBytes(body));
    }
}
