package io.herald.core.state.redis;

import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.MessageIds;
import io.herald.core.redis.RedisShards;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelStateUnavailableException;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanStream;
import io.lettuce.core.SetArgs;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@link ChannelState} over Redis: each channel's state on the shard the broker uses for it
 * (the same {@link RedisShards}), changed only by Lua scripts
 * ({@link ChannelStateScripts} describes the keys), so each join and leave is atomic.
 *
 * <h2>Nodes and reaping</h2>
 * Every shard keeps its own register of nodes with the time, by that shard's clock, of each
 * node's last heartbeat or join there; {@link #heartbeat} writes it on every shard. A shard
 * decides alone which nodes are dead for the state it holds, so an outage or a restart of one
 * shard concerns only that shard's channels. {@link #reapDeadNodes} asks each shard for its dead
 * nodes, takes a short lock per dead node ({@code SET NX PX}, {@code reapLockTtl}) so that
 * normally one reaper does the work, and removes the node's share in batches of
 * {@value #REAP_BATCH} channels, one script each, so a node with many channels never blocks the
 * shard for long. Even without the lock each channel is removed once: a batch pops its channels
 * from the node's set atomically. A node that heartbeats or joins again stops its reaping.
 *
 * <h2>Losing a shard's data</h2>
 * Each shard has an epoch ({@link ChannelStateScripts#EPOCH}): a random id written by the first
 * node to find none. This handle remembers the epoch it saw on each shard, learnt before its first
 * join there. A shard that restarts without its data has no epoch; the next
 * {@link #checkForLosses} of any node writes a new one, and every node whose remembered epoch
 * differs reports the loss, whenever and however often the shard restarted meanwhile. The
 * remembered epoch moves on only when the loss is settled, so an interrupted re-recording is
 * reported again. A restart that keeps the data (persistence) keeps the epoch: nothing to do.
 *
 * <p>Reaping is fail-soft: a shard that cannot be reached is skipped (logged) and reaped on a
 * later call; the transitions of the other shards are still returned. Every other call fails
 * with {@link io.herald.core.state.ChannelStateUnavailableException} when its shard is down.
 */
public final class RedisChannelState implements ChannelState, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisChannelState.class);

    /** Channels of a dead node removed per script: bounds how long one script holds the shard. */
    static final int REAP_BATCH = 200;

    /** Dead nodes fetched per shard and call; the rest are found by the next call. */
    private static final int DEAD_NODES_PER_CALL = 100;

    /** Channel-list entries Redis returns per HSCAN step. */
    private static final int SCAN_COUNT = 500;

    private static final LuaScript JOIN = new LuaScript(ChannelStateScripts.JOIN);
    private static final LuaScript LEAVE = new LuaScript(ChannelStateScripts.LEAVE);
    private static final LuaScript HEARTBEAT = new LuaScript(ChannelStateScripts.HEARTBEAT);
    private static final LuaScript DEAD_NODES = new LuaScript(ChannelStateScripts.DEAD_NODES);
    private static final LuaScript REAP_NODE = new LuaScript(ChannelStateScripts.REAP_NODE);
    private static final LuaScript EPOCH = new LuaScript(ChannelStateScripts.EPOCH);
    private static final LuaScript REJOIN = new LuaScript(ChannelStateScripts.REJOIN);

    private final RedisShardConnections<String> shards;
    private final String prefix;
    private final Duration reapLockTtl;
    /** Identifies this reaper in the lock's value, for debugging. */
    private final String reaperId = UUID.randomUUID().toString();
    /** Each shard's reconnections, for {@link #lossSuspected}. */
    private final Sinks.Many<Integer> reconnections = Sinks.many().multicast().directBestEffort();
    /** The epoch this handle saw last on each shard; {@code null} until learnt. */
    private final AtomicReferenceArray<String> epochs;

    /**
     * @param reapLockTtl how long a reaper holds a dead node's lock on a shard; after that another
     *        reaper may take over a cleanup that did not finish
     */
    public RedisChannelState(RedisShards shards, Duration reapLockTtl) {
        this.shards = new RedisShardConnections<>(shards, StringCodec.UTF8, "channel state");
        this.prefix = shards.keyPrefix();
        this.reapLockTtl = Objects.requireNonNull(reapLockTtl, "reapLockTtl");
        this.epochs = new AtomicReferenceArray<>(shards.size());
        for (int i = 0; i < shards.size(); i++) {
            int shard = i;
            // Serialised: two shards may reconnect at once on different I/O threads.
            this.shards.onReconnect(shard, () -> {
                synchronized (reconnections) {
                    reconnections.tryEmitNext(shard);
                }
            });
        }
    }

    /** Each reconnection of a shard's channel-state connection: the shard may have restarted empty. */
    @Override
    public Flux<Integer> lossSuspected() {
        return reconnections.asFlux();
    }

    /** Whether each shard's connection is up now, in shard order. */
    public List<Boolean> shardHealth() {
        List<Boolean> up = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            up.add(shards.isUp(i));
        }
        return up;
    }

    @Override
    public Mono<JoinResult> join(ChannelKey channel, String nodeId, String socketId, PresenceMember member,
            int maxMembers) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(socketId, "socketId");
        boolean presence = member != null;
        String userId = presence ? Objects.requireNonNull(member.userId(), "member.userId") : "";
        String info = presence && member.userInfoJson() != null ? member.userInfoJson() : "";
        int shard = shards.shardOf(channel);
        return learnEpoch(shard).then(shards.on(shard, redis -> JOIN.run(redis, prefix, channel.appId(),
                channel.channel(), nodeId, socketId, userId, info, presence ? "1" : "0", String.valueOf(maxMembers))))
                .map(reply -> new JoinResult(flag(reply, 0), flag(reply, 1), flag(reply, 2), number(reply, 3)));
    }

    @Override
    public Mono<LeaveResult> leave(ChannelKey channel, String nodeId, String socketId, String userId) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(socketId, "socketId");
        return shards.on(shards.shardOf(channel), redis -> LEAVE.run(redis, prefix, channel.appId(),
                channel.channel(), nodeId, socketId))
                .map(reply -> new LeaveResult(flag(reply, 0), flag(reply, 1), number(reply, 2)));
    }

    @Override
    public Mono<Long> subscriptionCount(ChannelKey channel) {
        Objects.requireNonNull(channel, "channel");
        return shards.on(shards.shardOf(channel), redis -> redis.hget(occupiedKey(channel.appId()), channel.channel()))
                .map(value -> OccupiedEntry.parse(value).subscriptions())
                .defaultIfEmpty(0L);
    }

    @Override
    public Mono<List<PresenceMember>> members(ChannelKey channel) {
        Objects.requireNonNull(channel, "channel");
        String key = prefix + "ui:" + channel.appId() + ":" + channel.channel();
        return shards.on(shards.shardOf(channel), redis -> redis.hgetall(key)
                .map(entry -> new PresenceMember(entry.getKey(),
                        entry.getValue().isEmpty() ? null : entry.getValue()))
                .collectList());
    }

    @Override
    public Flux<ChannelSummary> channels(String appId, String channelPrefix) {
        Objects.requireNonNull(appId, "appId");
        String match = escapeGlob(channelPrefix == null ? "" : channelPrefix) + "*";
        ScanArgs args = ScanArgs.Builder.matches(match).limit(SCAN_COUNT);
        String key = occupiedKey(appId);
        return Flux.range(0, shards.size())
                .flatMap(shard -> shards.on(shard, redis -> ScanStream.hscan(redis, key, args).collectList()))
                .flatMapIterable(entries -> entries)
                .map(RedisChannelState::summary);
    }

    private static ChannelSummary summary(KeyValue<String, String> entry) {
        OccupiedEntry counts = OccupiedEntry.parse(entry.getValue());
        return new ChannelSummary(entry.getKey(), counts.subscriptions(), counts.users());
    }

    /** HSETNX and HDEL are each atomic, so two nodes announcing the same change send one webhook. */
    @Override
    public Mono<Boolean> announce(ChannelKey channel, String subject, boolean present) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(subject, "subject");
        String key = prefix + "ann:" + channel.appId() + ":" + channel.channel();
        return shards.on(shards.shardOf(channel), redis -> present
                ? redis.hsetnx(key, "s:" + subject, "1")
                : redis.hdel(key, "s:" + subject).map(removed -> removed > 0));
    }

    @Override
    public Mono<Void> rejoin(ChannelKey channel, String nodeId, String socketId, PresenceMember member) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(socketId, "socketId");
        boolean presence = member != null;
        String userId = presence ? Objects.requireNonNull(member.userId(), "member.userId") : "";
        String info = presence && member.userInfoJson() != null ? member.userInfoJson() : "";
        return shards.on(shards.shardOf(channel), redis -> REJOIN.run(redis, prefix, channel.appId(),
                channel.channel(), nodeId, socketId, userId, info, presence ? "1" : "0")).then();
    }

    @Override
    public Flux<StateLoss> checkForLosses() {
        return Flux.range(0, shards.size())
                .filter(shards::isUp)
                .flatMap(shard -> epoch(shard)
                        .flatMap(epoch -> {
                            String seen = epochs.get(shard);
                            if (seen == null) {
                                epochs.compareAndSet(shard, null, epoch);
                                return Mono.empty();
                            }
                            return seen.equals(epoch) ? Mono.empty()
                                    : Mono.<StateLoss>just(new ShardLoss(shard, seen, epoch));
                        })
                        .onErrorResume(ex -> {
                            // Looked at again next time; the shard's outage is logged by its connection.
                            if (ex instanceof ChannelStateUnavailableException) {
                                log.debug("Could not check the epoch of Redis shard {}: {}", shard, ex.toString());
                            }
                            else {
                                log.warn("Checking the epoch of Redis shard {} failed", shard, ex);
                            }
                            return Mono.empty();
                        }));
    }

    /** The shard's epoch, written if it has none. */
    private Mono<String> epoch(int shard) {
        // Unique, not secret, and never blocking (UUID.randomUUID may, on SecureRandom).
        String candidate = MessageIds.next();
        return shards.on(shard, redis -> EPOCH.run(redis, prefix, candidate))
                .map(reply -> (String) reply.get(0));
    }

    /** Before this handle's first join on a shard: its epoch, so that a later loss is told from a first look. */
    private Mono<Void> learnEpoch(int shard) {
        return Mono.defer(() -> epochs.get(shard) != null ? Mono.empty()
                : epoch(shard).doOnNext(epoch -> epochs.compareAndSet(shard, null, epoch)).then());
    }

    /** A shard found with another epoch than this handle saw last. */
    private final class ShardLoss implements StateLoss {

        private final int shard;
        private final String seen;
        private final String epoch;

        ShardLoss(int shard, String seen, String epoch) {
            this.shard = shard;
            this.seen = seen;
            this.epoch = epoch;
        }

        @Override
        public boolean covers(ChannelKey channel) {
            return shards.shardOf(channel) == shard;
        }

        @Override
        public void settle() {
            epochs.compareAndSet(shard, seen, epoch);
        }

        @Override
        public String description() {
            return "Redis shard " + shard;
        }

        @Override
        public String toString() {
            return description() + " (epoch " + seen + " → " + epoch + ")";
        }
    }

    @Override
    public Mono<Void> heartbeat(String nodeId) {
        Objects.requireNonNull(nodeId, "nodeId");
        // Every shard is tried even when one fails; the first failure is reported after all.
        return Flux.range(0, shards.size())
                .flatMapDelayError(shard -> shards.on(shard, redis -> HEARTBEAT.run(redis, prefix, nodeId)),
                        shards.size(), 1)
                .then();
    }

    @Override
    public Flux<Transition> reapDeadNodes(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        String timeoutMs = String.valueOf(timeout.toMillis());
        return Flux.range(0, shards.size())
                .flatMap(shard -> reapShard(shard, timeoutMs)
                        .onErrorResume(ex -> {
                            log.warn("Could not reap dead nodes on Redis shard {} now; will retry: {}", shard,
                                    ex.getMessage());
                            return Flux.empty();
                        }));
    }

    private Flux<Transition> reapShard(int shard, String timeoutMs) {
        return shards.on(shard, redis -> DEAD_NODES.run(redis, prefix, timeoutMs, String.valueOf(DEAD_NODES_PER_CALL)))
                .flatMapMany(Flux::fromIterable)
                .map(String.class::cast)
                .concatMap(node -> lock(shard, node)
                        .flatMapMany(locked -> locked ? reapNode(shard, node, timeoutMs) : Flux.empty()));
    }

    private Mono<Boolean> lock(int shard, String node) {
        SetArgs nxPx = SetArgs.Builder.nx().px(reapLockTtl.toMillis());
        return shards.on(shard, redis -> redis.set(prefix + "reap:" + node, reaperId, nxPx))
                .map("OK"::equals)
                .defaultIfEmpty(false);
    }

    /** Batches until the node's share on the shard is gone or the node is alive again. */
    private Flux<Transition> reapNode(int shard, String node, String timeoutMs) {
        String batch = String.valueOf(REAP_BATCH);
        return shards.on(shard, redis -> REAP_NODE.run(redis, prefix, node, timeoutMs, batch))
                .expand(reply -> number(reply, 0) > 0
                        ? shards.on(shard, redis -> REAP_NODE.run(redis, prefix, node, timeoutMs, batch))
                        : Mono.empty())
                .concatMapIterable(RedisChannelState::transitions)
                .doOnComplete(() -> log.info("Removed the channel state of dead node {} from Redis shard {}", node,
                        shard));
    }

    private static List<Transition> transitions(List<Object> reply) {
        List<Transition> out = new ArrayList<>();
        for (int i = 1; i + 2 < reply.size(); i += 3) {
            String kind = (String) reply.get(i);
            String ref = (String) reply.get(i + 1);
            String user = (String) reply.get(i + 2);
            int colon = ref.indexOf(':');
            ChannelKey channel = new ChannelKey(ref.substring(0, colon), ref.substring(colon + 1));
            out.add("M".equals(kind) ? new Transition(channel, Transition.Kind.MEMBER_REMOVED, user)
                    : new Transition(channel, Transition.Kind.CHANNEL_VACATED, null));
        }
        return out;
    }

    private String occupiedKey(String appId) {
        return prefix + "occ:" + appId;
    }

    /** Escapes the glob characters of an HSCAN MATCH pattern. */
    static String escapeGlob(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean flag(List<Object> reply, int index) {
        return number(reply, index) != 0;
    }

    private static long number(List<Object> reply, int index) {
        return ((Number) reply.get(index)).longValue();
    }

    @Override
    public void close() {
        shards.close();
    }

    /** A value of the occupied-channels index: {@code "<subscriptions>"} or {@code "<subscriptions>/<users>"}. */
    record OccupiedEntry(long subscriptions, Long users) {

        static OccupiedEntry parse(String value) {
            int slash = value.indexOf('/');
            if (slash < 0) {
                return new OccupiedEntry(Long.parseLong(value), null);
            }
            return new OccupiedEntry(Long.parseLong(value.substring(0, slash)),
                    Long.parseLong(value.substring(slash + 1)));
        }
    }
}
