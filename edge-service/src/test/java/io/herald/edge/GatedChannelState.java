package io.herald.edge;

import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelStateTimeoutException;
import io.herald.core.state.ChannelStateUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The real channel state (Redis, in these tests) with a gate in front of chosen joins, so that a
 * test can put the edge's work in a known interleaving: a held join reaches the real state and is
 * recorded there, but its answer is kept from the edge until the test releases it, or replaced by
 * an error as a lost reply would be. Not a mock: every call is the real adapter's.
 *
 * <p>Also counts, per channel, the joins and leaves the real state has completed, so a test can
 * wait for the edge to have finished what it started. And it can hold every join at once
 * ({@link #holdAllJoins}, a flood kept in flight) or fail a channel's next leaves before they
 * reach the real state ({@link #failNextLeaves}: the shard unreachable for the undo).
 */
final class GatedChannelState implements ChannelState, AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ChannelState real;
    private final Map<ChannelKey, Hold> armed = new ConcurrentHashMap<>();
    private final Map<ChannelKey, AtomicInteger> joins = new ConcurrentHashMap<>();
    private final Map<ChannelKey, AtomicInteger> leaves = new ConcurrentHashMap<>();
    private final Map<ChannelKey, AtomicInteger> rejoins = new ConcurrentHashMap<>();
    private final Map<ChannelKey, RejoinHold> armedRejoins = new ConcurrentHashMap<>();
    private final Map<ChannelKey, AtomicInteger> failingLeaves = new ConcurrentHashMap<>();
    private volatile Sinks.Empty<Void> allJoins;
    private final Map<ChannelKey, Sinks.Empty<Void>> heldLeaves = new ConcurrentHashMap<>();

    GatedChannelState(ChannelState real) {
        this.real = real;
    }

    /** The next join of {@code channel} will be held; the returned hold releases or fails it. */
    Hold holdNextJoin(ChannelKey channel) {
        Hold hold = new Hold();
        if (armed.putIfAbsent(channel, hold) != null) {
            throw new IllegalStateException("A join of " + channel + " is already armed");
        }
        return hold;
    }

    /** The next rejoin of {@code channel} will wait, before it reaches the real state, until the hold is released. */
    RejoinHold holdNextRejoin(ChannelKey channel) {
        RejoinHold hold = new RejoinHold();
        if (armedRejoins.putIfAbsent(channel, hold) != null) {
            throw new IllegalStateException("A rejoin of " + channel + " is already armed");
        }
        return hold;
    }

    /** Rejoins of the channel the real state has completed. */
    int rejoins(ChannelKey channel) {
        return count(rejoins, channel).get();
    }

    /**
     * Every join from now on is recorded by the real state and its answer held until the returned
     * gate is emptied ({@code tryEmitEmpty}); joins after that pass again.
     */
    Sinks.Empty<Void> holdAllJoins() {
        Sinks.Empty<Void> gate = Sinks.empty();
        allJoins = gate;
        gate.asMono().doFinally(signal -> allJoins = null).subscribe();
        return gate;
    }

    /** The channel's next leave waits, before it reaches the real state, until the returned gate is emptied. */
    Sinks.Empty<Void> holdNextLeave(ChannelKey channel) {
        Sinks.Empty<Void> gate = Sinks.empty();
        heldLeaves.put(channel, gate);
        return gate;
    }

    /** The channel's next {@code count} leaves fail without reaching the real state, as if its shard were down. */
    void failNextLeaves(ChannelKey channel, int count) {
        count(failingLeaves, channel).set(count);
    }

    /** Joins of the channel the real state has completed (held ones included, before their release). */
    int joins(ChannelKey channel) {
        return count(joins, channel).get();
    }

    /** Leaves of the channel the real state has completed. */
    int leaves(ChannelKey channel) {
        return count(leaves, channel).get();
    }

    private static AtomicInteger count(Map<ChannelKey, AtomicInteger> counts, ChannelKey channel) {
        return counts.computeIfAbsent(channel, key -> new AtomicInteger());
    }

    @Override
    public Mono<JoinResult> join(ChannelKey channel, String nodeId, String socketId, PresenceMember member,
            int maxMembers) {
        Mono<JoinResult> joined = real.join(channel, nodeId, socketId, member, maxMembers)
                .doOnNext(result -> count(joins, channel).incrementAndGet());
        Hold hold = armed.remove(channel);
        Sinks.Empty<Void> all = allJoins;
        if (hold == null && all != null) {
            return joined.flatMap(result -> all.asMono().thenReturn(result));
        }
        return hold == null ? joined : hold.apply(joined);
    }

    @Override
    public Mono<LeaveResult> leave(ChannelKey channel, String nodeId, String socketId, String userId) {
        AtomicInteger failing = failingLeaves.get(channel);
        if (failing != null && failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return Mono.error(new ChannelStateUnavailableException(0, "the test made this leave fail", null));
        }
        Mono<LeaveResult> left = real.leave(channel, nodeId, socketId, userId)
                .doOnNext(result -> count(leaves, channel).incrementAndGet());
        Sinks.Empty<Void> held = heldLeaves.remove(channel);
        return held == null ? left : held.asMono().then(left);
    }

    @Override
    public Mono<Long> subscriptionCount(ChannelKey channel) {
        return real.subscriptionCount(channel);
    }

    @Override
    public Mono<List<PresenceMember>> members(ChannelKey channel) {
        return real.members(channel);
    }

    @Override
    public Flux<ChannelSummary> channels(String appId, String prefix) {
        return real.channels(appId, prefix);
    }

    @Override
    public Mono<Boolean> announce(ChannelKey channel, String subject, boolean present) {
        return real.announce(channel, subject, present);
    }

    @Override
    public Mono<Void> heartbeat(String nodeId) {
        return real.heartbeat(nodeId);
    }

    @Override
    public Mono<Void> rejoin(ChannelKey channel, String nodeId, String socketId, PresenceMember member) {
        Mono<Void> rejoined = real.rejoin(channel, nodeId, socketId, member)
                .doOnSuccess(ignored -> count(rejoins, channel).incrementAndGet());
        RejoinHold hold = armedRejoins.remove(channel);
        return hold == null ? rejoined : Mono.defer(() -> {
            hold.requested.complete(null);
            return hold.gate.asMono().then(rejoined);
        });
    }

    @Override
    public Flux<Integer> lossSuspected() {
        return real.lossSuspected();
    }

    @Override
    public Flux<StateLoss> checkForLosses() {
        return real.checkForLosses();
    }

    @Override
    public Flux<Transition> reapDeadNodes(Duration timeout) {
        return real.reapDeadNodes(timeout);
    }

    @Override
    public void close() throws Exception {
        if (real instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** One held join: recorded by the real state, its answer waiting for {@link #release} or {@link #fail}. */
    static final class Hold {

        private final CompletableFuture<JoinResult> recorded = new CompletableFuture<>();
        private final Sinks.One<Boolean> gate = Sinks.one();

        private Mono<JoinResult> apply(Mono<JoinResult> joined) {
            return joined.doOnNext(recorded::complete)
                    .flatMap(result -> gate.asMono().flatMap(pass -> pass ? Mono.just(result)
                            : Mono.error(new ChannelStateTimeoutException(0, "the test lost this join's answer", null))));
        }

        /** Waits until the real state has recorded the held join. */
        JoinResult awaitRecorded() {
            return recorded.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }

        /** Lets the answer through. */
        void release() {
            gate.emitValue(true, Sinks.EmitFailureHandler.FAIL_FAST);
        }

        /** Replaces the answer by a {@link ChannelStateTimeoutException}: recorded, but the edge never hears so. */
        void fail() {
            gate.emitValue(false, Sinks.EmitFailureHandler.FAIL_FAST);
        }
    }

    /** One held rejoin: asked for by the edge, sent to the real state only once released. */
    static final class RejoinHold {

        private final CompletableFuture<Void> requested = new CompletableFuture<>();
        private final Sinks.One<Boolean> gate = Sinks.one();

        /** Waits until the edge has asked for the held rejoin. */
        void awaitRequested() {
            requested.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }

        /** Sends it on to the real state. */
        void release() {
            gate.emitValue(true, Sinks.EmitFailureHandler.FAIL_FAST);
        }
    }
}
