package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.app.AppChanges;
import io.herald.core.app.AppStore;
import io.herald.core.broker.ChannelKey;
import io.herald.core.error.PusherError;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.Transition;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;

/**
 * This edge node's duties towards the cluster: a heartbeat in the channel state, removing the
 * share of nodes that died (and telling their channels: {@code member_removed} frames and
 * webhooks), and applying app changes to open connections (a disabled or deleted app's
 * connections are closed with 4003; others pick up new limits and features).
 */
public final class EdgeNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EdgeNode.class);

    private final String nodeId;
    private final ChannelState state;
    private final ChannelNotifier notifier;
    private final AppStore apps;
    private final ConnectionRegistry registry;
    private final Duration nodeTimeout;
    private final Disposable.Composite tasks = Disposables.composite();

    public EdgeNode(String nodeId, ChannelState state, ChannelNotifier notifier, AppStore apps,
            ConnectionRegistry registry, Duration heartbeatInterval, Duration nodeTimeout, Scheduler scheduler) {
        this.nodeId = nodeId;
        this.state = state;
        this.notifier = notifier;
        this.apps = apps;
        this.registry = registry;
        this.nodeTimeout = nodeTimeout;
        long period = heartbeatInterval.toMillis();
        tasks.add(scheduler.schedulePeriodically(this::tick, 0, period, TimeUnit.MILLISECONDS));
        tasks.add(apps.changes().subscribe(this::appChanged,
                ex -> log.error("App change notifications stopped", ex)));
    }

    public String nodeId() {
        return nodeId;
    }

    private void tick() {
        state.heartbeat(nodeId).subscribe(null, ex -> log.warn("Heartbeat of node {} failed: {}", nodeId,
                ex.toString()));
        state.reapDeadNodes(nodeTimeout).subscribe(this::announce,
                ex -> log.warn("Removing dead nodes' channel state failed: {}", ex.toString()));
    }

    /** Tells a channel what the removal of a dead node's share changed. */
    private void announce(Transition transition) {
        ChannelKey key = transition.channel();
        if (Watchlists.isOnlineChannel(key.channel())) {
            // A user's online record (no webhooks): its watchers hear that it went offline.
            if (transition.kind() == Transition.Kind.MEMBER_REMOVED) {
                notifier.publish(key, Watchlists.offline(transition.userId()), null);
            }
            return;
        }
        // The frame needs no app, and this node is the only one that will ever send it: it goes out
        // whatever the app lookup does. Only the webhooks depend on the app (its endpoints).
        if (transition.kind() == Transition.Kind.MEMBER_REMOVED) {
            notifier.publish(key, PusherCodec.memberRemoved(key.channel(), transition.userId()), null);
        }
        apps.findById(key.appId()).subscribe(app -> {
            // No leave delay: the node is known dead and its clients had node-timeout to return.
            if (transition.kind() == Transition.Kind.MEMBER_REMOVED) {
                notifier.memberRemoved(app, key.channel(), transition.userId(), Duration.ZERO);
            }
            else {
                notifier.vacated(app, key.channel(), Duration.ZERO);
            }
        }, ex -> log.warn("The {} webhook of {} (dead node's share) is lost: looking up app {} failed: {}",
                transition.kind() == Transition.Kind.MEMBER_REMOVED ? "member_removed" : "channel_vacated", key,
                key.appId(), ex.toString()));
    }

    private void appChanged(String appId) {
        if (AppChanges.RESYNC.equals(appId)) {
            // Announcements may have been missed: recheck every app with connections here.
            registry.connections().stream().map(EdgeConnection::appId).distinct().forEach(this::appChanged);
            return;
        }
        apps.findById(appId).map(Optional::of).defaultIfEmpty(Optional.empty()).subscribe(found -> {
            App app = found.filter(App::enabled).orElse(null);
            for (EdgeConnection connection : registry.connections()) {
                if (!connection.appId().equals(appId)) {
                    continue;
                }
                if (app == null) {
                    connection.closeAfterFlush(PusherError.APP_DISABLED, PusherError.APP_DISABLED.message());
                }
                else {
                    connection.updateApp(app);
                }
            }
            if (app == null) {
                log.info("App {} was disabled or deleted: its connections on node {} are being closed", appId, nodeId);
            }
        }, ex -> log.warn("Applying a change of app {} failed: {}", appId, ex.toString()));
    }

    @Override
    public void close() {
        tasks.dispose();
    }
}
