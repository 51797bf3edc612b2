package io.herald.edge;

import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.state.ChannelState.StateLoss;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Puts this node's share of the channel state back when a part of the store lost it (a channel
 * shard restarted without its data) while this node's clients stayed connected.
 *
 * <p>Every {@code herald.state.epoch-check-interval}, and at once when a shard is reached again
 * ({@link ChannelState#lossSuspected}), it asks {@link ChannelState#checkForLosses}.
 * For each loss it records again, with {@link ChannelState#rejoin} (which announces nothing: the
 * channels were occupied and the members present all along), every subscription of its
 * connections on a channel of the lost part, with its presence member as it joined, and every
 * watchlist online record ({@code #online-} channels, {@link Watchlists}) there; then it settles
 * the loss. Every node does the same for its own share, so soon after the reconnection (at the
 * latest one interval) plus the time of the re-recording, channel queries, presence lists and
 * later leaves (with {@code member_removed} and webhooks) are right again.
 *
 * <p>Why each subscription is re-recorded in its connection's {@link SubscriptionChanges} turn:
 * the client may unsubscribe, or its connection close, while the re-recording is on its way.
 * Their leave finds nothing to remove on the emptied shard; a re-recording reaching Redis after
 * it would leave a subscription nobody holds. In the channel's turn, the re-recording sees the
 * connection as it is then (still subscribed and confirmed, or not) and the leave, queued after
 * it, removes what it recorded. An online record is checked after its re-recording instead (a
 * connection records its user online once and never again after going offline), and undone if
 * the connection went offline meanwhile.
 *
 * <p>A re-recording that fails (the shard went away again) leaves the loss unsettled: it is
 * reported by the next check and done again (re-recording is idempotent). At most
 * {@value #CONCURRENCY} re-recordings are in flight at once, so a node with many subscriptions
 * does not flood the shard that just came back. Never blocks.
 */
public final class ChannelStateRebuild implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChannelStateRebuild.class);

    /** After a reconnection: when the second check runs. */
    static final Duration RECHECK_DELAY = Duration.ofMillis(250);

    /** Re-recordings in flight at once per loss. */
    static final int CONCURRENCY = 64;

    private final String nodeId;
    private final ChannelState state;
    private final ConnectionRegistry registry;
    private final ChannelNotifier notifier;
    private final LongSupplier nanoTime;
    /** Losses being rebuilt, by description: a check that reports one again while it runs starts nothing. */
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Disposable checks;
    private final Disposable suspicions;

    public ChannelStateRebuild(String nodeId, ChannelState state, ConnectionRegistry registry,
            ChannelNotifier notifier, Duration checkInterval, Scheduler scheduler, LongSupplier nanoTime) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.state = Objects.requireNonNull(state, "state");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        long period = checkInterval.toMillis();
        this.checks = scheduler.schedulePeriodically(this::check, 0, period, TimeUnit.MILLISECONDS);
        // A shard reached again is checked at once rather than at the next period, and once more a
        // moment later in case the first check came before the connection took commands again.
        this.suspicions = state.lossSuspected().subscribe(shard -> {
            check();
            scheduler.schedule(this::check, RECHECK_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        },
                ex -> log.warn("Reconnection notices of the channel state stopped: {}", ex.toString()));
    }

    private void check() {
        state.checkForLosses()
                .filter(loss -> running.add(loss.description()))
                .flatMap(loss -> rebuild(loss).doFinally(signal -> running.remove(loss.description())))
                .subscribe(null, ex -> log.warn("Checking the channel state for lost shards failed: {}", ex.toString()));
    }

    /** Records again this node's share of the lost part, then settles the loss if all of it was recorded. */
    Mono<Void> rebuild(StateLoss loss) {
        long started = nanoTime.getAsLong();
        AtomicInteger subscriptions = new AtomicInteger();
        AtomicInteger online = new AtomicInteger();
        // Each step is started (a subscription's submitted to its lane) only when the bounded merge asks for it.
        List<Supplier<Mono<Boolean>>> steps = new ArrayList<>();
        for (EdgeConnection connection : registry.connections()) {
            for (Map.Entry<String, Subscription> entry : connection.subscriptions().entrySet()) {
                ChannelKey key = new ChannelKey(connection.appId(), entry.getKey());
                if (entry.getValue().tracked() && loss.covers(key)) {
                    steps.add(() -> {
                        Sinks.One<Boolean> done = Sinks.one();
                        connection.subscriptionChanges().submit(key.channel(),
                                () -> rejoinInTurn(connection, key, done, subscriptions));
                        return done.asMono();
                    });
                }
            }
            String userId = connection.userId();
            if (userId != null && connection.hasOnlineRecord()) {
                ChannelKey key = new ChannelKey(connection.appId(), Watchlists.ONLINE_PREFIX + userId);
                if (loss.covers(key)) {
                    steps.add(() -> rejoinOnline(connection, key, userId, online));
                }
            }
        }
        log.warn("{} lost its channel state: node {} records again what it holds there ({} item(s))",
                loss.description(), nodeId, steps.size());
        return Flux.fromIterable(steps)
                .flatMap(step -> Mono.defer(step), CONCURRENCY)
                .reduce(true, Boolean::logicalAnd)
                .doOnNext(complete -> {
                    long millis = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - started);
                    if (complete) {
                        loss.settle();
                        log.info("Node {} recorded its share of {} again in {} ms: {} subscription(s), {} online "
                                + "record(s)", nodeId, loss.description(), millis, subscriptions.get(), online.get());
                    }
                    else {
                        log.warn("Node {} could not record all of its share of {} again ({} ms); retrying at the "
                                + "next check", nodeId, loss.description(), millis);
                    }
                })
                .then();
    }

    /** In the connection's turn for the channel: records it again if the connection still holds it. */
    private Mono<Void> rejoinInTurn(EdgeConnection connection, ChannelKey key, Sinks.One<Boolean> done,
            AtomicInteger count) {
        Subscription now = connection.subscriptions().get(key.channel());
        if (connection.isClosed() || now == null || !now.tracked() || !now.confirmed()) {
            // Gone (its leave follows in this lane, or ran before), or pending: its own join records it.
            done.tryEmitValue(true);
            return Mono.empty();
        }
        return state.rejoin(key, nodeId, connection.socketId(), now.member())
                .doOnSuccess(ignored -> {
                    count.incrementAndGet();
                    done.tryEmitValue(true);
                })
                .onErrorResume(ex -> {
                    log.debug("Recording socket {} on {} again failed: {}", connection.socketId(), key, ex.toString());
                    done.tryEmitValue(false);
                    return Mono.empty();
                });
    }

    /** A signed-in user's online record, undone at once if the connection went offline meanwhile. */
    private Mono<Boolean> rejoinOnline(EdgeConnection connection, ChannelKey key, String userId,
            AtomicInteger count) {
        return state.rejoin(key, nodeId, connection.socketId(), new PresenceMember(userId, null))
                .then(Mono.defer(() -> {
                    if (connection.hasOnlineRecord()) {
                        count.incrementAndGet();
                        return Mono.just(true);
                    }
                    return state.leave(key, nodeId, connection.socketId(), userId).map(left -> {
                        if (left.memberRemoved()) {
                            notifier.publish(key, Watchlists.offline(userId), null);
                        }
                        return true;
                    });
                }))
                .onErrorResume(ex -> {
                    log.debug("Recording user {} online again on {} failed: {}", userId, key, ex.toString());
                    return Mono.just(false);
                });
    }

    @Override
    public void close() {
        suspicions.dispose();
        checks.dispose();
    }
}
