package io.herald.edge;

import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugEvent;
import java.time.Clock;

import io.herald.core.app.App;
import io.herald.core.app.WebhookEventType;
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
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.state.ChannelStateTimeoutException;
import io.herald.core.state.ChannelStateUnavailableException;
import io.herald.edge.config.EdgeProperties;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisReadOnlyException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Each step is asynchronous. The subscription is reserved in the connection's map at once
 * (so it counts towards the limit, and a second subscribe while it is pending is ignored); the
 * steps then run as one change in the connection's {@link SubscriptionChanges}, which runs the
 * changes to one channel one after another. A change sees whether its reservation is still the
 * one in the map (identity, not value: {@link Subscription}); one withdrawn before it began does
 * nothing, one withdrawn while it ran (unsubscribe, disconnect) undoes what it recorded before the
 * channel's next change starts. Failures undo what was recorded too, including a join whose
 * answer was lost, so the channel state and the local fan-out always end as the client was told.
 * An undo (a leave) that fails is retried by {@link StateRepairs} until the state records it.
 *
 * <p>Back-pressure (issue 8): joins are refused at once, never sent, when this node already has
 * {@code herald.edge.max-state-commands-in-flight} channel-state commands in flight
 * ({@link StateCommandLimit}); per connection, {@code herald.edge.max-subscriptions} bounds its
 * subscriptions (pending ones included) and {@link SubscriptionChanges#MAX_WAITING} its changes
 * waiting on one channel. Refusals are told apart: this node busy or the shard slow (a timeout)
 * is {@code ServerBusy}, the shard unreachable is {@code ServiceUnavailable}, both status 503 and
 * retryable; each is counted by reason ({@link HeraldMeters#SUBSCRIPTIONS_REFUSED}) and logged once
 * per incident ({@link IncidentLog}).
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
    private final StateCommandLimit limit;
    private final StateRepairs repairs;
    private final IncidentLog incidents;
    private final MeterRegistry meters;
    private final Map<Refusal, Counter> refused = new ConcurrentHashMap<>();
    private final DebugConsole debug;
    private final Clock clock;
    private final EdgeDrain drain;

    public ChannelSubscriptions(EdgeProperties properties, LocalFanout fanout, AuthVerifier auth, ChannelState state,
            ChannelCache cache, ChannelNotifier notifier, SubscriptionCounts counts, String nodeId,
            StateCommandLimit limit, StateRepairs repairs, IncidentLog incidents, MeterRegistry meters) {
        this(properties, fanout, auth, state, cache, notifier, counts, nodeId, limit, repairs, incidents, meters,
                DebugConsole.NONE, Clock.systemUTC(), EdgeDrain.none(reactor.core.scheduler.Schedulers.parallel()));
    }

    /**
     * @param debug where subscriptions and their ends are shown while somebody watches their app
     * @param drain defers the channel-state leaves of connections closed while the node drains
     */
    public ChannelSubscriptions(EdgeProperties properties, LocalFanout fanout, AuthVerifier auth, ChannelState state,
            ChannelCache cache, ChannelNotifier notifier, SubscriptionCounts counts, String nodeId,
            StateCommandLimit limit, StateRepairs repairs, IncidentLog incidents, MeterRegistry meters,
            DebugConsole debug, Clock clock, EdgeDrain drain) {
        this.drain = java.util.Objects.requireNonNull(drain, "drain");
        this.debug = java.util.Objects.requireNonNull(debug, "debug");
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        this.limit = limit;
        this.repairs = repairs;
        this.incidents = incidents;
        this.meters = meters;
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
                confirmAgain(connection, channel, existing);
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
        Subscription pending = Subscription.pending(type, member);
        if (connection.subscriptions().putIfAbsent(channel, pending) != null) {
            return;
        }
        Request request = new Request(frame.dataField("auth"), channelData, member);
        if (!connection.subscriptionChanges().trySubmit(channel,
                () -> establish(connection, channel, pending, request))) {
            connection.subscriptions().remove(channel, pending);
            refuse(connection, channel, "LimitReached", "Too many subscription changes to this channel at once: "
                    + "wait for each subscribe to be answered", 429);
        }
    }

    /**
     * A subscribe's turn in its channel's changes: authorize, record, confirm; nothing when the
     * client withdrew it while it waited.
     */
    private Mono<Void> establish(EdgeConnection connection, String channel, Subscription pending, Request request) {
        if (connection.subscriptions().get(channel) != pending) {
            return Mono.empty();
        }
        // Deferred, so that even a verifier that throws ends in onErrorResume and the reservation is answered.
        Mono<AuthVerifier.Verdict> verdict = Mono.defer(() -> pending.type().requiresAuthorization()
                ? auth.authorizeChannel(connection.appId(), connection.socketId(), channel, request.auth(),
                        request.channelData())
                : Mono.just(AuthVerifier.Verdict.OK));
        return verdict
                .flatMap(v -> v.ok() ? record(connection, channel, pending, request.member())
                        : refuseIfAwaited(connection, channel, pending, "AuthError", v.reason(), 401))
                .onErrorResume(ex -> failed(connection, channel, pending, ex));
    }

    /** Records the subscription in the channel state and the local fan-out, then confirms it. */
    private Mono<Void> record(EdgeConnection connection, String channel, Subscription pending, PresenceMember member) {
        App app = connection.app();
        ChannelKey key = new ChannelKey(app.id(), channel);
        int maxMembers = app.limits().maxPresenceMembers();
        Mono<ChannelState.JoinResult> join = limit
                .tryRun(() -> state.join(key, nodeId, connection.socketId(), member, maxMembers))
                // The join may have been recorded although its answer was lost (a timeout, a lost
                // connection): leave, so the channel state keeps no subscription the client is told
                // failed. The client is answered first (not a second command timeout later); the
                // leave still runs in this change, so the channel's next one (a retry) waits for it.
                // A join refused by this node's limit was never sent: nothing to undo.
                .onErrorResume(ex -> ex instanceof StateBusyException ? Mono.error(ex)
                        : failed(connection, channel, pending, ex)
                                .then(leaveState(connection, channel, pending))
                                .then(Mono.<ChannelState.JoinResult>empty()));
        // A failed undo of an earlier attempt on this channel goes first (StateRepairs.runFirst);
        // if it fails again, the subscribe is refused and the undo keeps waiting.
        return repairs.runFirst(connection, channel)
                .then(join)
                .flatMap(joined -> {
                    if (joined.memberLimitReached()) {
                        return refuseIfAwaited(connection, channel, pending, "LimitReached",
                                "The presence channel is full: the limit is " + maxMembers + " members", 403);
                    }
                    announceJoin(connection, app, key, joined, member);
                    // Read once the fan-out is in place: a member joining later is then announced to us.
                    Mono<List<PresenceMember>> members = pending.type().isPresence()
                            ? limit.run(() -> state.members(key)).defaultIfEmpty(List.of())
                            : Mono.just(List.of());
                    return fanout.subscribe(key, connection)
                            .then(members)
                            .flatMap(list -> confirm(connection, key, pending, list))
                            .onErrorResume(ex -> release(connection, key, pending).then(Mono.error(ex)));
                });
    }

    /** Tells the channel what the join changed: occupied, member added, the subscription count. */
    private void announceJoin(EdgeConnection connection, App app, ChannelKey key, ChannelState.JoinResult joined,
            PresenceMember member) {
        String channel = key.channel();
        if (joined.channelOccupied()) {
            notifier.occupied(app, channel);
        }
        counts.changed(app, channel, joined.subscriptionCount());
        if (joined.memberAdded()) {
            notifier.publish(key, PusherCodec.memberAdded(channel, member.userId(), member.userInfoJson()),
                    connection.socketId());
            notifier.memberAdded(app, channel, member.userId());
        }
    }

    /**
     * The commit point: confirms the reservation if it is still the connection's, and sends
     * {@code subscription_succeeded} (with the members on presence channels) and, on cache
     * channels, the cached event or a cache miss. A reservation withdrawn meanwhile is undone.
     */
    private Mono<Void> confirm(EdgeConnection connection, ChannelKey key, Subscription pending,
            List<PresenceMember> members) {
        String channel = key.channel();
        Subscription confirmed = pending.confirm();
        if (!connection.subscriptions().replace(channel, pending, confirmed)) {
            // Unsubscribed or disconnected while it was recorded: undo it now, while the channel's
            // next change (perhaps a new subscribe) still waits for its turn.
            return release(connection, key, pending);
        }
        if (confirmed.type().requiresAuthorization()) {
            connection.authorizedBySubscription();
        }
        connection.send(succeededFrame(channel, confirmed, members));
        if (debug.watched(connection.appId())) {
            debug.emit(DebugEvent.subscribed(connection.appId(), clock.instant(), connection.socketId(), channel));
        }
        return confirmed.type().isCache() ? replayCache(connection, key) : Mono.empty();
    }

    private static byte[] succeededFrame(String channel, Subscription subscription, List<PresenceMember> members) {
        if (!subscription.type().isPresence()) {
            return PusherCodec.subscriptionSucceeded(channel, "{}");
        }
        Map<String, String> byId = new LinkedHashMap<>();
        members.forEach(m -> byId.put(m.userId(), m.userInfoJson()));
        return PusherCodec.presenceSucceeded(channel, byId);
    }

    /** After {@code subscription_succeeded} on a cache channel: the cached event, or a cache miss. */
    private Mono<Void> replayCache(EdgeConnection connection, ChannelKey key) {
        String channel = key.channel();
        return cache.last(key).map(connection::send).switchIfEmpty(Mono.fromSupplier(() -> {
            connection.send(PusherCodec.cacheMiss(channel));
            notifier.channelWebhook(connection.app(), WebhookEventType.CACHE_MISS, channel);
            return true;
        })).then().onErrorResume(ex -> {
            // The subscription stands; without the cached event the client must fetch the state itself.
            incidents.report("cached events could not be read (a cache miss was sent)", key + ": " + ex);
            connection.send(PusherCodec.cacheMiss(channel));
            return Mono.empty();
        });
    }

    /** A subscribe to a channel the connection is already subscribed to: {@code subscription_succeeded} again. */
    private void confirmAgain(EdgeConnection connection, String channel, Subscription subscription) {
        ChannelKey key = new ChannelKey(connection.appId(), channel);
        Mono<List<PresenceMember>> members = subscription.type().isPresence()
                ? state.members(key).defaultIfEmpty(List.of())
                : Mono.just(List.of());
        members.subscribe(list -> connection.send(succeededFrame(channel, subscription, list)),
                ex -> incidents.report("repeated subscribes could not be confirmed again", "socket "
                        + connection.socketId() + " of app " + connection.appId() + " on " + channel + ": " + ex));
    }

    /** {@code #server-to-user-{id}}: only the connection signed in as that user may subscribe. */
    private void subscribeToOwnUserChannel(EdgeConnection connection, String channel) {
        String userId = connection.userId();
        if (userId == null || !channel.equals(PusherCodec.SERVER_TO_USER_PREFIX + userId)) {
            refuse(connection, channel, "AuthError",
                    "Only the connection signed in as this user may subscribe to its server-to-user channel", 403);
            return;
        }
        subscribeUserChannel(connection, userId).subscribe(null,
                ex -> log.warn("Subscribing socket {} of app {} to {} failed: {}", connection.socketId(),
                        connection.appId(), channel, ex.toString()),
                () -> connection.send(PusherCodec.subscriptionSucceeded(channel, "{}")));
    }

    /**
     * Subscribes a signed-in connection to its user's {@code #server-to-user-} channel, which
     * carries server-to-user events and {@code terminate_connections}. Idempotent. Kept until the
     * connection closes; not recorded in the channel state, so it needs no turn in the
     * connection's {@link SubscriptionChanges}.
     */
    Mono<Void> subscribeUserChannel(EdgeConnection connection, String userId) {
        String channel = PusherCodec.SERVER_TO_USER_PREFIX + userId;
        Subscription subscription = Subscription.untracked(ChannelType.PUBLIC, userId);
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
        withdraw(connection, channel, connection.subscriptions().remove(channel));
    }

    /** Ends every subscription of a closed connection. */
    void leaveAll(EdgeConnection connection) {
        for (var entry : Map.copyOf(connection.subscriptions()).entrySet()) {
            if (connection.subscriptions().remove(entry.getKey(), entry.getValue())) {
                withdraw(connection, entry.getKey(), entry.getValue());
            }
        }
    }

    /**
     * A subscription was removed from the connection's map. A confirmed one is released in its
     * channel's turn; a pending one is left to its own change, which sees it withdrawn.
     */
    private void withdraw(EdgeConnection connection, String channel, Subscription removed) {
        if (removed == null || !removed.confirmed()) {
            return;
        }
        if (debug.watched(connection.appId()) && !channel.startsWith("#")) {
            debug.emit(DebugEvent.unsubscribed(connection.appId(), clock.instant(), connection.socketId(), channel));
        }
        ChannelKey key = new ChannelKey(connection.appId(), channel);
        connection.subscriptionChanges().submit(channel, () -> release(connection, key, removed));
    }

    /**
     * Undoes a subscription: the local fan-out at once, then the channel state; never fails. The
     * channel-state leave of a connection closed while the node drains waits for the handover
     * ({@link EdgeDrain}): its client is moving to another node, where its subscribe finds it present.
     */
    private Mono<Void> release(EdgeConnection connection, ChannelKey key, Subscription subscription) {
        fanout.unsubscribe(key, connection);
        if (connection.isClosed()) {
            return drain.leave(connection, () -> leaveState(connection, key.channel(), subscription));
        }
        return leaveState(connection, key.channel(), subscription);
    }

    /**
     * Records the end of a subscription in the channel state and tells the channel what that
     * changed. Completes when it is recorded or queued: a failure is never propagated; the leave
     * is retried by {@link StateRepairs} until the state records it.
     */
    private Mono<Void> leaveState(EdgeConnection connection, String channel, Subscription subscription) {
        if (!subscription.tracked()) {
            return Mono.empty();
        }
        String userId = subscription.userId();
        return leaveOnce(connection, channel, userId).onErrorResume(ex -> {
            incidents.report("channel-state leaves failed, each retried until it is recorded", ex.toString());
            repairs.later(connection, channel, () -> repairLeave(connection, channel, userId));
            return Mono.empty();
        });
    }

    /**
     * A queued leave's turn: nothing when the connection holds the channel again (a later subscribe
     * succeeded on the same record), else the leave.
     */
    private Mono<Void> repairLeave(EdgeConnection connection, String channel, String userId) {
        Subscription now = connection.subscriptions().get(channel);
        if (now != null && now.confirmed() && !connection.isClosed()) {
            return Mono.empty();
        }
        return leaveOnce(connection, channel, userId);
    }

    /** One leave and what it tells the channel; fails when the state did not answer. */
    private Mono<Void> leaveOnce(EdgeConnection connection, String channel, String userId) {
        App app = connection.app();
        ChannelKey key = new ChannelKey(app.id(), channel);
        return limit.run(() -> state.leave(key, nodeId, connection.socketId(), userId)).doOnNext(left -> {
            if (left.memberRemoved()) {
                notifier.publish(key, PusherCodec.memberRemoved(channel, userId), null);
                notifier.memberRemoved(app, channel, userId);
            }
            if (left.channelVacated()) {
                notifier.vacated(app, channel);
            }
            counts.changed(app, channel, left.subscriptionCount());
        }).then();
    }

    /**
     * A subscribe failed: tells the client, if it still waits for the answer, why and that it may
     * retry; counts it by reason and reports it to the incident log (one line per incident).
     */
    private Mono<Void> failed(EdgeConnection connection, String channel, Subscription pending, Throwable ex) {
        if (ex instanceof AuthUnavailableException) {
            return refuseIfAwaited(connection, channel, pending, "AuthError",
                    "Channel authorization is temporarily unavailable; try again", 503);
        }
        Refusal refusal = Refusal.of(ex);
        refused.computeIfAbsent(refusal, r -> Counter.builder(HeraldMeters.SUBSCRIPTIONS_REFUSED.meterName())
                .description("Subscribes refused because of the channel state").tag("reason", r.tag)
                .register(meters)).increment();
        incidents.report(refusal.incident, "socket " + connection.socketId() + " of app " + connection.appId()
                + " on " + channel + ": " + ex);
        return refuseIfAwaited(connection, channel, pending, refusal.type, refusal.message, refusal.status);
    }

    /** Why a subscribe failed in the channel state, what the client is told and the metric's tag. */
    enum Refusal {
        /** This node's bound on channel-state commands in flight: never sent. */
        BUSY("busy", "ServerBusy", 503, "This server is busy (too many subscriptions in progress); try again in a moment",
                "subscribes refused: this node has herald.edge.max-state-commands-in-flight channel-state commands in flight"),
        /** The shard is up but did not answer in time; undone. */
        TIMEOUT("timeout", "ServerBusy", 503, "The channel state did not answer in time (busy); try again in a moment",
                "subscribes refused: the channel state did not answer in time (undone)"),
        /** The shard answered {@code BUSY}: a script ran past its time limit there; nothing of this was run. */
        SHARD_BUSY("shard_busy", "ServerBusy", 503, "The channel state is busy; try again in a moment",
                "subscribes refused: the channel state's Redis answered BUSY (a script ran too long there)"),
        /**
         * The shard cannot be reached, is loading its data after a restart, or is a replica now
         * (read-only: a failover the connection has not followed yet).
         */
        UNAVAILABLE("unavailable", "ServiceUnavailable", 503,
                "Subscriptions are temporarily unavailable (the channel state cannot be reached); try again",
                "subscribes refused: the channel state is unreachable"),
        /** Anything else: a bug, or an error Redis answered. */
        ERROR("error", "InternalError", 500, "The subscription failed; try again", "subscribes failed");

        final String tag;
        final String type;
        final int status;
        final String message;
        final String incident;

        Refusal(String tag, String type, int status, String message, String incident) {
            this.tag = tag;
            this.type = type;
            this.status = status;
            this.message = message;
            this.incident = incident;
        }

        static Refusal of(Throwable ex) {
            if (ex instanceof StateBusyException) {
                return BUSY;
            }
            if (ex instanceof ChannelStateTimeoutException) {
                return TIMEOUT;
            }
            // Redis answered these itself, so they are not "unavailable" to the Redis layer; to a
            // client they are: an overloaded shard, a shard still loading its data.
            if (ex instanceof RedisBusyException) {
                return SHARD_BUSY;
            }
            if (ex instanceof ChannelStateUnavailableException || ex instanceof RedisLoadingException
                    || ex instanceof RedisReadOnlyException) {
                return UNAVAILABLE;
            }
            return ERROR;
        }
    }

    /** Withdraws the reservation and sends {@code subscription_error}, unless the client withdrew it first. */
    private static Mono<Void> refuseIfAwaited(EdgeConnection connection, String channel, Subscription pending,
            String type, String error, int status) {
        if (connection.subscriptions().remove(channel, pending)) {
            refuse(connection, channel, type, error, status);
        }
        return Mono.empty();
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

    /** What a subscribe frame asked for, kept for its turn. */
    private record Request(String auth, String channelData, PresenceMember member) {
    }
}
