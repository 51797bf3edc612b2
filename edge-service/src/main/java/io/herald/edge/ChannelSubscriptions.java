package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.auth.AuthUnavailableException;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.broker.ChannelKey;
import io.herald.core.names.ChannelType;
import io.herald.core.names.Names;
import io.herald.core.protocol.ClientFrame;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.state.ChannelCache;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.app.WebhookEventType;
import io.herald.edge.config.EdgeProperties;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Subscribing and unsubscribing, for every channel type Pusher defines.
 *
 * <p>A subscription goes through: name checks, the per-connection limit, the signature (private,
 * encrypted and presence channels, verified by the {@link AuthVerifier} so the edge never holds
 * secrets), the cluster-wide record ({@link ChannelState}: occupancy, presence members and their
 * limit), the node's broker subscription ({@link LocalFanout}), and then
 * {@code subscription_succeeded} — with the member list on presence channels, followed by the
 * cached event or {@code pusher:cache_miss} on cache channels. Cluster-wide transitions become
 * {@code member_added}/{@code member_removed} frames and webhooks, sent once by the node that
 * saw them.
 *
 * <p>Each step is asynchronous. The subscription is reserved in the connection's map first; if
 * the client unsubscribes or disconnects before the steps finish, the finishing step sees that
 * its reservation is gone and undoes what it recorded.
 */
public final class ChannelSubscriptions {

    private static final Logger log = LoggerFactory.getLogger(ChannelSubscriptions.class);

    /** Pusher's documented limit for a presence {@code user_id}. */
    static final int MAX_USER_ID_LENGTH = 128;

    private final EdgeProperties properties;
    private final LocalFanout fanout;
    private final AuthVerifier auth;
    private final ChannelState state;
    private final ChannelCache cache;
    private final ChannelNotifier notifier;
    private final SubscriptionCounts counts;
    private final String nodeId;

    public ChannelSubscriptions(EdgeProperties properties, LocalFanout fanout, AuthVerifier auth, ChannelState state,
            ChannelCache cache, ChannelNotifier notifier, SubscriptionCounts counts, String nodeId) {
        this.properties = properties;
        this.fanout = fanout;
        this.auth = auth;
        this.state = state;
        this.cache = cache;
        this.notifier = notifier;
        this.counts = counts;
        this.nodeId = nodeId;
    }

    void subscribe(EdgeConnection connection, ClientFrame frame) {
        String channel = frame.dataField("channel");
        if (channel == null) {
            connection.send(PusherCodec.error(null, "pusher:subscribe needs data.channel"));
            return;
        }
        if (channel.startsWith(PusherCodec.SERVER_TO_USER_PREFIX)) {
            subscribeToOwnUserChannel(connection, channel);
            return;
        }
        String problem = Names.channelNameProblem(channel);
        if (problem != null) {
            refuse(connection, channel, "InvalidChannel", problem, 400);
            return;
        }
        Subscription existing = connection.subscriptions().get(channel);
        if (existing != null) {
            if (existing.confirmed()) {
                // Confirm again; the cached event (or cache miss) belongs to the first subscribe only.
                succeeded(connection, channel, existing, false).subscribe();
            }
            return;
        }
        if (connection.subscriptions().size() >= properties.maxSubscriptions()) {
            refuse(connection, channel, "LimitReached",
                    "Too many subscriptions: the limit is " + properties.maxSubscriptions() + " per connection", 429);
            return;
        }
        ChannelType type = ChannelType.of(channel);
        PresenceMember member = null;
        String channelData = null;
        if (type.isPresence()) {
            channelData = frame.dataField("channel_data");
            String memberProblem = null;
            try {
                member = presenceMember(channelData, connection.app());
            }
            catch (IllegalArgumentException ex) {
                memberProblem = ex.getMessage();
            }
            if (member == null) {
                refuse(connection, channel, "InvalidChannelData", memberProblem, 400);
                return;
            }
        }
        Subscription pending = new Subscription(type, member == null ? null : member.userId(), true, false);
        connection.subscriptions().put(channel, pending);
        PresenceMember joining = member;
        Mono<AuthVerifier.Verdict> verdict = type.requiresAuthorization()
                ? auth.authorizeChannel(connection.appId(), connection.socketId(), channel, frame.dataField("auth"),
                        channelData)
                : Mono.just(AuthVerifier.Verdict.OK);
        verdict.flatMap(v -> {
            if (!v.ok()) {
                abandon(connection, channel, pending);
                refuse(connection, channel, "AuthError", v.reason(), 401);
                return Mono.empty();
            }
            return join(connection, channel, pending, joining);
        }).subscribe(null, ex -> {
            abandon(connection, channel, pending);
            if (ex instanceof AuthUnavailableException) {
                refuse(connection, channel, "AuthError",
                        "Channel authorization is temporarily unavailable; try again", 503);
            }
            else {
                log.warn("Subscribing socket {} of app {} to {} failed", connection.socketId(), connection.appId(),
                        channel, ex);
                refuse(connection, channel, "InternalError", "The subscription failed; try again", 500);
            }
        });
    }

    private Mono<Void> join(EdgeConnection connection, String channel, Subscription pending, PresenceMember member) {
        App app = connection.app();
        ChannelKey key = new ChannelKey(app.id(), channel);
        return state.join(key, nodeId, connection.socketId(), member, app.limits().maxPresenceMembers())
                .flatMap(joined -> {
                    if (joined.memberLimitReached()) {
                        abandon(connection, channel, pending);
                        refuse(connection, channel, "LimitReached", "The presence channel is full: the limit is "
                                + app.limits().maxPresenceMembers() + " members", 403);
                        return Mono.empty();
                    }
                    if (joined.channelOccupied()) {
                        notifier.occupied(app, channel);
                    }
                    counts.changed(app, channel, joined.subscriptionCount());
                    if (joined.memberAdded()) {
                        notifier.publish(key, PusherCodec.memberAdded(channel, member.userId(), member.userInfoJson()),
                                connection.socketId());
                        notifier.memberAdded(app, channel, member.userId());
                    }
                    return fanout.subscribe(key, connection).then(Mono.defer(() -> {
                        Subscription confirmed = pending.confirm();
                        if (!connection.subscriptions().replace(channel, pending, confirmed)) {
                            // Unsubscribed or disconnected meanwhile: undo what was recorded.
                            fanout.unsubscribe(key, connection);
                            leaveState(connection, channel, pending);
                            return Mono.empty();
                        }
                        if (confirmed.type().requiresAuthorization()) {
                            connection.authorizedBySubscription();
                        }
                        return succeeded(connection, channel, confirmed, true);
                    }));
                });
    }

    /** Sends {@code subscription_succeeded} and, on cache channels if asked, the cached event or a cache miss. */
    private Mono<Void> succeeded(EdgeConnection connection, String channel, Subscription subscription,
            boolean replayCache) {
        ChannelKey key = new ChannelKey(connection.appId(), channel);
        Mono<Void> sent = subscription.type().isPresence()
                ? state.members(key).doOnNext(members -> {
                    Map<String, String> byId = new LinkedHashMap<>();
                    members.forEach(m -> byId.put(m.userId(), m.userInfoJson()));
                    connection.send(PusherCodec.presenceSucceeded(channel, byId));
                }).then()
                : Mono.fromRunnable(() -> connection.send(PusherCodec.subscriptionSucceeded(channel, "{}")));
        if (!replayCache || !subscription.type().isCache()) {
            return sent;
        }
        return sent.then(cache.last(key).map(frame -> connection.send(frame)).switchIfEmpty(Mono.fromSupplier(() -> {
            connection.send(PusherCodec.cacheMiss(channel));
            notifier.channelWebhook(connection.app(), WebhookEventType.CACHE_MISS, channel);
            return true;
        }))).then();
    }

    /** {@code #server-to-user-{id}}: only the connection signed in as that user may subscribe. */
    private void subscribeToOwnUserChannel(EdgeConnection connection, String channel) {
        String userId = connection.userId();
        if (userId == null || !channel.equals(PusherCodec.SERVER_TO_USER_PREFIX + userId)) {
            refuse(connection, channel, "AuthError",
                    "Only the connection signed in as this user may subscribe to its server-to-user channel", 403);
            return;
        }
        subscribeUserChannel(connection, userId).subscribe(null, null,
                () -> connection.send(PusherCodec.subscriptionSucceeded(channel, "{}")));
    }

    /**
     * Subscribes a signed-in connection to its user's {@code #server-to-user-} channel, which
     * carries server-to-user events and {@code terminate_connections}. Idempotent.
     */
    Mono<Void> subscribeUserChannel(EdgeConnection connection, String userId) {
        String channel = PusherCodec.SERVER_TO_USER_PREFIX + userId;
        Subscription subscription = new Subscription(ChannelType.PUBLIC, userId, false, true);
        if (connection.subscriptions().putIfAbsent(channel, subscription) != null) {
            return Mono.empty();
        }
        return fanout.subscribe(new ChannelKey(connection.appId(), channel), connection);
    }

    void unsubscribe(EdgeConnection connection, ClientFrame frame) {
        String channel = frame.dataField("channel");
        if (channel == null) {
            return;
        }
        if (channel.startsWith(PusherCodec.SERVER_TO_USER_PREFIX)) {
            // Kept while signed in: it also carries terminate_connections.
            return;
        }
        Subscription subscription = connection.subscriptions().remove(channel);
        if (subscription != null && subscription.confirmed()) {
            leave(connection, channel, subscription);
        }
    }

    /** Ends every subscription of a closed connection. */
    void leaveAll(EdgeConnection connection) {
        for (var entry : Map.copyOf(connection.subscriptions()).entrySet()) {
            if (connection.subscriptions().remove(entry.getKey(), entry.getValue()) && entry.getValue().confirmed()) {
                leave(connection, entry.getKey(), entry.getValue());
            }
        }
    }

    private void leave(EdgeConnection connection, String channel, Subscription subscription) {
        fanout.unsubscribe(new ChannelKey(connection.appId(), channel), connection);
        leaveState(connection, channel, subscription);
    }

    private void leaveState(EdgeConnection connection, String channel, Subscription subscription) {
        if (!subscription.tracked()) {
            return;
        }
        App app = connection.app();
        ChannelKey key = new ChannelKey(app.id(), channel);
        state.leave(key, nodeId, connection.socketId(), subscription.userId()).subscribe(left -> {
            if (left.memberRemoved()) {
                notifier.publish(key, PusherCodec.memberRemoved(channel, subscription.userId()), null);
                notifier.memberRemoved(app, channel, subscription.userId());
            }
            if (left.channelVacated()) {
                notifier.vacated(app, channel);
            }
            counts.changed(app, channel, left.subscriptionCount());
        }, ex -> log.warn("Recording that socket {} left {} failed: {}", connection.socketId(), key, ex.toString()));
    }

    private static void abandon(EdgeConnection connection, String channel, Subscription pending) {
        connection.subscriptions().remove(channel, pending);
    }

    private static void refuse(EdgeConnection connection, String channel, String type, String error, int status) {
        connection.send(PusherCodec.subscriptionError(channel, type, error, status));
    }

    /**
     * The presence member in {@code channel_data}: a JSON object with a non-empty
     * {@code user_id} (string or number, at most 128 characters) and an optional
     * {@code user_info} within the app's size limit.
     *
     * @throws IllegalArgumentException with a message for the developer when it is not valid
     */
    static PresenceMember presenceMember(String channelData, App app) {
        if (channelData == null || channelData.isEmpty()) {
            throw new IllegalArgumentException("Presence channels need channel_data with a user_id, signed by your server");
        }
        JsonNode data;
        try {
            data = PusherCodec.json().readTree(channelData);
        }
        catch (RuntimeException ex) {
            throw new IllegalArgumentException("channel_data is not valid JSON");
        }
        JsonNode id = data == null ? null : data.get("user_id");
        if (id == null || !(id.isString() || id.isNumber()) || id.asString().isEmpty()) {
            throw new IllegalArgumentException("channel_data must contain a non-empty user_id");
        }
        String userId = id.asString();
        if (userId.length() > MAX_USER_ID_LENGTH) {
            throw new IllegalArgumentException("user_id is longer than " + MAX_USER_ID_LENGTH + " characters");
        }
        JsonNode info = data.get("user_info");
        String infoJson = info == null || info.isNull() ? null : PusherCodec.json().writeValueAsString(info);
        if (infoJson != null && infoJson.getBytes(StandardCharsets.UTF_8).length > app.limits().maxUserInfoBytes()) {
            throw new IllegalArgumentException("user_info is larger than " + app.limits().maxUserInfoBytes() + " bytes");
        }
        return new PresenceMember(userId, infoJson);
    }
}
