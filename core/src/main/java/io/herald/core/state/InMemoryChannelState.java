package io.herald.core.state;

import io.herald.core.broker.ChannelKey;
import io.herald.core.names.ChannelType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link ChannelState} in this process's memory: right for a single process (the standalone
 * server), where every node id lives in the same JVM.
 *
 * <p>Each channel's state is changed inside {@link ConcurrentHashMap#compute}, so joins and
 * leaves of one channel are atomic and different channels never contend on one lock. Heartbeat
 * times come from the injected {@link Clock}. Calls complete synchronously and never block
 * beyond that per-channel section.
 */
public final class InMemoryChannelState implements ChannelState {

    /** What was last announced by webhook, per channel: the subjects announced present. */
    private final Map<ChannelKey, Set<String>> announced = new ConcurrentHashMap<>();

    private final Clock clock;
    private final ConcurrentHashMap<ChannelKey, Channel> channels = new ConcurrentHashMap<>();
    /** The channels each node holds subscriptions on, for reaping. */
    private final ConcurrentHashMap<String, Set<ChannelKey>> nodeChannels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> lastSeen = new ConcurrentHashMap<>();

    public InMemoryChannelState(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Mono<JoinResult> join(ChannelKey channel, String nodeId, String socketId, PresenceMember member,
            int maxMembers) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(socketId, "socketId");
        boolean presence = member != null;
        String userId = presence ? Objects.requireNonNull(member.userId(), "member.userId") : "";
        return Mono.fromSupplier(() -> {
            lastSeen.put(nodeId, clock.instant());
            JoinResult[] result = new JoinResult[1];
            channels.compute(channel, (key, existing) -> {
                Channel state = existing != null ? existing : new Channel();
                result[0] = state.join(nodeId, socketId, userId, member, maxMembers);
                if (state.subscriptions == 0) {
                    return null;
                }
                nodeChannels.computeIfAbsent(nodeId, n -> ConcurrentHashMap.newKeySet()).add(channel);
                return state;
            });
            return result[0];
        });
    }

    @Override
    public Mono<LeaveResult> leave(ChannelKey channel, String nodeId, String socketId, String userId) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(socketId, "socketId");
        return Mono.fromSupplier(() -> {
            LeaveResult[] result = { new LeaveResult(false, false, 0) };
            channels.computeIfPresent(channel, (key, state) -> {
                result[0] = state.leave(nodeId, socketId);
                if (!state.sockets.containsKey(nodeId)) {
                    Set<ChannelKey> held = nodeChannels.get(nodeId);
                    if (held != null) {
                        held.remove(channel);
                    }
                }
                return state.subscriptions == 0 ? null : state;
            });
            return result[0];
        });
    }

    @Override
    public Mono<Long> subscriptionCount(ChannelKey channel) {
        return Mono.fromSupplier(() -> {
            long[] count = new long[1];
            channels.computeIfPresent(channel, (key, state) -> {
                count[0] = state.subscriptions;
                return state;
            });
            return count[0];
        });
    }

    @Override
    public Mono<List<PresenceMember>> members(ChannelKey channel) {
        return Mono.fromSupplier(() -> {
            List<PresenceMember> members = new ArrayList<>();
            channels.computeIfPresent(channel, (key, state) -> {
                state.infos.forEach((user, info) -> members.add(new PresenceMember(user, info)));
                return state;
            });
            return members;
        });
    }

    @Override
    public Flux<ChannelSummary> channels(String appId, String prefix) {
        Objects.requireNonNull(appId, "appId");
        String start = prefix == null ? "" : prefix;
        return Flux.defer(() -> {
            List<ChannelSummary> out = new ArrayList<>();
            for (ChannelKey key : channels.keySet()) {
                if (key.appId().equals(appId) && key.channel().startsWith(start)) {
                    channels.computeIfPresent(key, (k, state) -> {
                        Long users = ChannelType.of(k.channel()).isPresence() ? (long) state.users.size() : null;
                        out.add(new ChannelSummary(k.channel(), state.subscriptions, users));
                        return state;
                    });
                }
            }
            return Flux.fromIterable(out);
        });
    }

    @Override
    public Mono<Boolean> announce(ChannelKey channel, String subject, boolean present) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(subject, "subject");
        return Mono.fromSupplier(() -> {
            boolean[] changed = { false };
            announced.compute(channel, (key, subjects) -> {
                Set<String> set = subjects == null ? new HashSet<>() : subjects;
                changed[0] = present ? set.add(subject) : set.remove(subject);
                return set.isEmpty() ? null : set;
            });
            return changed[0];
        });
    }

    @Override
    public Mono<Void> rejoin(ChannelKey channel, String nodeId, String socketId, PresenceMember member) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(socketId, "socketId");
        boolean presence = member != null;
        String userId = presence ? Objects.requireNonNull(member.userId(), "member.userId") : "";
        return Mono.fromRunnable(() -> {
            lastSeen.put(nodeId, clock.instant());
            channels.compute(channel, (key, existing) -> {
                Channel state = existing != null ? existing : new Channel();
                state.join(nodeId, socketId, userId, member, Integer.MAX_VALUE);
                nodeChannels.computeIfAbsent(nodeId, n -> ConcurrentHashMap.newKeySet()).add(channel);
                return state;
            });
            announced.compute(channel, (key, subjects) -> {
                Set<String> set = subjects == null ? new HashSet<>() : subjects;
                set.add(CHANNEL);
                if (!userId.isEmpty()) {
                    set.add(userId);
                }
                return set;
            });
        });
    }

    /** This process's memory is never lost while the nodes in it live on. */
    @Override
    public Flux<StateLoss> checkForLosses() {
        return Flux.empty();
    }

    @Override
    public Mono<Void> heartbeat(String nodeId) {
        Objects.requireNonNull(nodeId, "nodeId");
        return Mono.fromRunnable(() -> lastSeen.put(nodeId, clock.instant()));
    }

    @Override
    public Flux<Transition> reapDeadNodes(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return Flux.defer(() -> {
            Instant cutoff = clock.instant().minus(timeout);
            List<Transition> out = new ArrayList<>();
            for (Map.Entry<String, Instant> entry : lastSeen.entrySet()) {
                // remove(key, value) succeeds for one caller only, and not if the node heartbeat meanwhile
                if (entry.getValue().isBefore(cutoff) && lastSeen.remove(entry.getKey(), entry.getValue())) {
                    reap(entry.getKey(), out);
                }
            }
            return Flux.fromIterable(out);
        });
    }

    private void reap(String nodeId, List<Transition> out) {
        Set<ChannelKey> held = nodeChannels.remove(nodeId);
        if (held == null) {
            return;
        }
        for (ChannelKey channel : held) {
            channels.computeIfPresent(channel, (key, state) -> {
                state.removeNode(nodeId, key, out);
                return state.subscriptions == 0 ? null : state;
            });
        }
    }

    /** One channel's state; only touched inside the map's per-key section. */
    private static final class Channel {

        /** node → socket → user id ("" when not a presence member). */
        final Map<String, Map<String, String>> sockets = new HashMap<>();
        /** user → connections, cluster-wide. */
        final Map<String, Integer> users = new HashMap<>();
        /** user → user_info, in the order members joined. */
        final Map<String, String> infos = new LinkedHashMap<>();
        /** node → user → connections on that node. */
        final Map<String, Map<String, Integer>> nodeUsers = new HashMap<>();
        long subscriptions;

        JoinResult join(String node, String socket, String user, PresenceMember member, int maxMembers) {
            Map<String, String> onNode = sockets.computeIfAbsent(node, n -> new HashMap<>());
            if (onNode.containsKey(socket)) {
                return new JoinResult(false, false, false, subscriptions);
            }
            boolean added = false;
            if (!user.isEmpty()) {
                if (!users.containsKey(user)) {
                    if (users.size() >= maxMembers) {
                        if (onNode.isEmpty()) {
                            sockets.remove(node);
                        }
                        return new JoinResult(false, false, true, subscriptions);
                    }
                    added = true;
                    infos.put(user, member.userInfoJson());
                }
                users.merge(user, 1, Integer::sum);
                nodeUsers.computeIfAbsent(node, n -> new HashMap<>()).merge(user, 1, Integer::sum);
            }
            onNode.put(socket, user);
            subscriptions++;
            return new JoinResult(subscriptions == 1, added, false, subscriptions);
        }

        LeaveResult leave(String node, String socket) {
            Map<String, String> onNode = sockets.get(node);
            String user = onNode == null ? null : onNode.remove(socket);
            if (user == null) {
                return new LeaveResult(false, false, subscriptions);
            }
            if (onNode.isEmpty()) {
                sockets.remove(node);
            }
            boolean removed = false;
            if (!user.isEmpty()) {
                Map<String, Integer> held = nodeUsers.get(node);
                if (held != null && held.merge(user, -1, Integer::sum) <= 0) {
                    held.remove(user);
                    if (held.isEmpty()) {
                        nodeUsers.remove(node);
                    }
                }
                if (users.merge(user, -1, Integer::sum) <= 0) {
                    users.remove(user);
                    infos.remove(user);
                    removed = true;
                }
            }
            subscriptions--;
            return new LeaveResult(subscriptions == 0, removed, subscriptions);
        }

        void removeNode(String node, ChannelKey key, List<Transition> out) {
            Map<String, String> onNode = sockets.remove(node);
            if (onNode == null) {
                return;
            }
            subscriptions -= onNode.size();
            Map<String, Integer> held = nodeUsers.remove(node);
            if (held != null) {
                held.forEach((user, count) -> {
                    if (users.merge(user, -count, Integer::sum) <= 0) {
                        users.remove(user);
                        infos.remove(user);
                        out.add(new Transition(key, Transition.Kind.MEMBER_REMOVED, user));
                    }
                });
            }
            if (subscriptions <= 0) {
                subscriptions = 0;
                out.add(new Transition(key, Transition.Kind.CHANNEL_VACATED, null));
            }
        }
    }
}
