package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.broker.ChannelKey;
import io.herald.core.error.PusherError;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Watchlist online status, for apps with the {@code watchlistEvents} feature: a signed-in user is
 * told, with {@code pusher_internal:watchlist_events}, which users of the {@code watchlist} in its
 * {@code user_data} are online when it signs in, and from then on when one comes online (its first
 * signed-in connection anywhere in the cluster) or goes offline (its last one closed, or its edge
 * node died).
 *
 * <p>Built from the cluster's existing parts. A user's online state is the presence record of an
 * internal channel {@code #online-{userId}} in {@link ChannelState} (one member: the user; one
 * subscription per signed-in connection), so "first connection" and "last connection" are the
 * cluster-wide transitions presence already computes, dead nodes included. The transition is
 * published, as a ready watchlist frame, on the broker channel of the same name, to which each
 * watcher's node subscribes through {@link LocalFanout} (one broker subscription per node, however
 * many watchers). {@code #} names cannot be subscribed to by clients, are left out of channel
 * queries and have no webhooks.
 *
 * <p>A watchlist holds at most {@value #MAX_WATCHLIST} ids: the rest are ignored and the client
 * gets a {@code pusher:error} 4302, as Pusher does.
 */
public final class Watchlists {

    private static final Logger log = LoggerFactory.getLogger(Watchlists.class);

    /** Internal channels that record and announce a user's online state. */
    public static final String ONLINE_PREFIX = "#online-";

    /** Pusher's limit of user ids in one watchlist. */
    static final int MAX_WATCHLIST = 100;

    /** Online-state lookups in flight at once for one signing-in user. */
    private static final int LOOKUP_CONCURRENCY = 16;

    private final LocalFanout fanout;
    private final ChannelState state;
    private final ChannelNotifier notifier;
    private final String nodeId;
    private final StateCommandLimit limit;
    private final StateRepairs repairs;
    private final IncidentLog incidents;
    private final EdgeDrain drain;

    public Watchlists(LocalFanout fanout, ChannelState state, ChannelNotifier notifier, String nodeId,
            StateCommandLimit limit, StateRepairs repairs, IncidentLog incidents) {
        this(fanout, state, notifier, nodeId, limit, repairs, incidents,
                EdgeDrain.none(reactor.core.scheduler.Schedulers.parallel()));
    }

    /**
     * @param drain defers the offline records of connections closed while the node drains, as
     *        their presence leaves ({@link EdgeDrain}): a user who moved to another node stays online
     */
    public Watchlists(LocalFanout fanout, ChannelState state, ChannelNotifier notifier, String nodeId,
            StateCommandLimit limit, StateRepairs repairs, IncidentLog incidents, EdgeDrain drain) {
        this.drain = java.util.Objects.requireNonNull(drain, "drain");
        this.limit = limit;
        this.repairs = repairs;
        this.incidents = incidents;
        this.fanout = fanout;
        this.state = state;
        this.notifier = notifier;
        this.nodeId = nodeId;
    }

    /** Whether a channel is one of the internal online-state channels. */
    public static boolean isOnlineChannel(String channel) {
        return channel.startsWith(ONLINE_PREFIX);
    }

    /** The frame that tells watchers that {@code userId} went offline. */
    public static byte[] offline(String userId) {
        return PusherCodec.watchlistEvents(List.of(), List.of(userId));
    }

    /**
     * A connection's first sign-in: records the user online, then runs {@code signedIn} (which
     * sends {@code pusher:signin_success}), then starts its watchlist. So whoever learns that the
     * user signed in and then asks finds the user online. For apps without the feature only
     * {@code signedIn} runs. A record that fails is undone and reported; the sign-in succeeds all the same.
     */
    void signedIn(EdgeConnection connection, String userId, String userData, Runnable signedIn) {
        App app = connection.app();
        if (!app.features().watchlistEvents()) {
            signedIn.run();
            return;
        }
        // A failed record was reported and undone by markOnline: the sign-in goes on without it.
        markOnline(connection, app, userId).onErrorComplete()
                .subscribe(null, null, () -> signedInThenWatch(connection, app, userData, signedIn));
    }

    private void signedInThenWatch(EdgeConnection connection, App app, String userData, Runnable signedIn) {
        signedIn.run();
        List<String> watchlist = watchlist(userData);
        if (watchlist.size() > MAX_WATCHLIST) {
            watchlist = watchlist.subList(0, MAX_WATCHLIST);
            connection.send(PusherCodec.error(PusherError.WATCHLIST_LIMIT.code(), PusherError.WATCHLIST_LIMIT.message()));
        }
        if (watchlist.isEmpty()) {
            return;
        }
        watch(connection, app, watchlist);
    }

    /** A closed connection: its user may go offline, and it stops watching. */
    void release(EdgeConnection connection) {
        for (String channel : connection.watched()) {
            fanout.unsubscribe(new ChannelKey(connection.appId(), channel), connection);
        }
        connection.watched().clear();
        if (connection.takeOnlineRecord()) {
            markOffline(connection);
        }
    }

    /**
     * Records the connection's user online. A join that fails may have been recorded all the same
     * (a timeout): it is undone, as an online record the connection does not count in (the user
     * would stay online for its watchers forever); the user then counts as offline for it.
     */
    private Mono<Void> markOnline(EdgeConnection connection, App app, String userId) {
        ChannelKey key = new ChannelKey(app.id(), ONLINE_PREFIX + userId);
        // Never refused by the node's limit: a signed-in user's online state is not retried by the client.
        return limit.run(() -> state.join(key, nodeId, connection.socketId(), new PresenceMember(userId, null),
                ChannelState.DEFAULT_MAX_PRESENCE_MEMBERS)).doOnNext(joined -> {
                    if (joined.memberAdded()) {
                        notifier.publish(key, PusherCodec.watchlistEvents(List.of(userId), List.of()), null);
                    }
                    connection.onlineRecorded();
                    if (connection.isClosed() && connection.takeOnlineRecord()) {
                        // Closed while the record was being made: undo it.
                        markOffline(connection);
                    }
                }).doOnError(ex -> {
                    incidents.report("online records failed (undone)", "user " + userId + " of app " + app.id()
                            + ": " + ex);
                    markOffline(connection);
                }).then();
    }

    /**
     * Removes the connection's online record; a failure is retried by {@link StateRepairs} until it
     * is recorded. While the node drains, after the handover ({@link EdgeDrain}).
     */
    private void markOffline(EdgeConnection connection) {
        String userId = connection.userId();
        Mono<Void> offline = connection.isClosed() ? drain.leave(connection, () -> offlineOnce(connection, userId))
                : offlineOnce(connection, userId);
        offline.subscribe(null, ex -> {
            incidents.report("offline records failed, each retried until it is recorded", ex.toString());
            repairs.later(connection, ONLINE_PREFIX + userId, () -> offlineOnce(connection, userId));
        });
    }

    private Mono<Void> offlineOnce(EdgeConnection connection, String userId) {
        ChannelKey key = new ChannelKey(connection.appId(), ONLINE_PREFIX + userId);
        return limit.run(() -> state.leave(key, nodeId, connection.socketId(), userId)).doOnNext(left -> {
            if (left.memberRemoved()) {
                notifier.publish(key, offline(userId), null);
            }
        }).then();
    }

    /** Subscribes to the watched users' announcements, then sends their current state. */
    private void watch(EdgeConnection connection, App app, List<String> watchlist) {
        Flux.fromIterable(watchlist)
                .filter(watchedId -> connection.watched().add(ONLINE_PREFIX + watchedId))
                .flatMap(watchedId -> fanout.subscribe(new ChannelKey(app.id(), ONLINE_PREFIX + watchedId), connection))
                .thenMany(Flux.fromIterable(watchlist)
                        .flatMapSequential(watchedId -> state.subscriptionCount(
                                new ChannelKey(app.id(), ONLINE_PREFIX + watchedId))
                                .map(count -> new Status(watchedId, count > 0)), LOOKUP_CONCURRENCY))
                .collectList()
                .subscribe(statuses -> {
                    if (connection.isClosed()) {
                        release(connection);
                        return;
                    }
                    List<String> online = new ArrayList<>();
                    List<String> offline = new ArrayList<>();
                    statuses.forEach(status -> (status.online() ? online : offline).add(status.userId()));
                    connection.send(PusherCodec.watchlistEvents(online, offline));
                }, ex -> log.warn("Starting the watchlist of socket {} (app {}) failed: {}", connection.socketId(),
                        app.id(), ex.toString()));
    }

    /** The distinct, non-empty ids of {@code user_data}'s {@code watchlist} array, in order. */
    static List<String> watchlist(String userData) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            JsonNode list = PusherCodec.json().readTree(userData).get("watchlist");
            if (list != null && list.isArray()) {
                for (JsonNode id : list) {
                    if ((id.isString() || id.isNumber()) && !id.asString().isEmpty()) {
                        ids.add(id.asString());
                    }
                }
            }
        }
        catch (RuntimeException ex) {
            // user_data was checked at sign-in; nothing to watch if it has no usable list.
        }
        return new ArrayList<>(ids);
    }

    private record Status(String userId, boolean online) {
    }
}
