package io.herald.core.state;

import io.herald.core.broker.ChannelKey;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cluster-wide channel occupancy and presence: how many connections are subscribed to each
 * channel, and which users are present, across every edge node, with a dead node's share
 * removed within a bounded time.
 *
 * <h2>Model</h2>
 * Each edge node ({@code nodeId}) records each subscription of one of its sockets with
 * {@link #join} and its end with {@link #leave}. A presence subscription carries the member
 * ({@code user_id}, {@code user_info}); a user with several connections is one member, added on
 * its first connection and removed with its last (cluster-wide). The results tell the caller
 * about cluster-wide transitions, so that exactly one node sends {@code channel_occupied},
 * {@code member_added} and so on.
 *
 * <h2>Crash cleanup</h2>
 * Nodes call {@link #heartbeat} regularly. {@link #reapDeadNodes} (called periodically by every
 * node; only one reaps a given dead node) removes the share of nodes silent for longer than the
 * given timeout and returns the transitions that produced, so the reaper can send
 * {@code member_removed} and webhooks on the dead node's behalf.
 *
 * <h2>Loss of the store</h2>
 * A part of the store may lose everything it held while the nodes and their clients live on (a
 * Redis shard restarted without persistence). Each node calls {@link #checkForLosses} regularly;
 * for each loss it reports, the node records again, with {@link #rejoin}, every subscription it
 * holds on a channel the loss {@linkplain StateLoss#covers covers}, and then
 * {@linkplain StateLoss#settle settles} it. Every node detects the loss by itself (each compares
 * with what it saw last), so several nodes detecting it at once each re-record their own share.
 *
 * <h2>Consistency</h2>
 * Each call is atomic for its channel (in Redis: one Lua script on the channel's shard).
 * Queries read the current state; they may be a moment behind a concurrent join or leave.
 *
 * <h2>Failure</h2>
 * When the channel's store cannot be reached (its Redis shard is down), calls fail with
 * {@link ChannelStateUnavailableException}; when it does not answer in time, with its subclass
 * {@link ChannelStateTimeoutException}, and then a change may have been made all the same: a
 * caller undoes a join it could not confirm with {@link #leave}, which is idempotent. Nothing is
 * queued or retried here. Calls never block.
 */
public interface ChannelState {

    /** Pusher's documented limit of distinct members in one presence channel. */
    int DEFAULT_MAX_PRESENCE_MEMBERS = 100;

    /**
     * Records a subscription, refusing a new presence member beyond
     * {@link #DEFAULT_MAX_PRESENCE_MEMBERS}; see {@link #join(ChannelKey, String, String, PresenceMember, int)}.
     *
     * @param member the presence member, or {@code null} for other channel types
     */
    default Mono<JoinResult> join(ChannelKey channel, String nodeId, String socketId, PresenceMember member) {
        return join(channel, nodeId, socketId, member, DEFAULT_MAX_PRESENCE_MEMBERS);
    }

    /**
     * Records a subscription. Joining again with a socket already recorded on the channel changes
     * nothing and reports no transition. Any join also marks the node alive, as a heartbeat does.
     *
     * <p>On a presence channel, a user not yet present is refused when the channel already has
     * {@code maxMembers} distinct users: the result has {@code memberLimitReached} and nothing is
     * recorded. A further connection of a user already present is always accepted; its
     * {@code user_info} is ignored (members keep the info they joined with, which is what the
     * others were told in {@code member_added}).
     *
     * @param member the presence member, or {@code null} for other channel types; a member makes the
     *        record a presence record whatever the name (Herald's internal {@code #online-} channels
     *        are presence records too)
     * @param maxMembers the app's limit of distinct users per presence channel
     *        ({@code AppLimits.maxPresenceMembers()}); ignored for other channel types
     */
    Mono<JoinResult> join(ChannelKey channel, String nodeId, String socketId, PresenceMember member, int maxMembers);

    /**
     * Records the end of a subscription. Unknown subscriptions are ignored (idempotent).
     *
     * @param userId the presence member's id, or {@code null} for other channel types. The member
     *        recorded with the socket's join is the one removed; this value is informative only.
     */
    Mono<LeaveResult> leave(ChannelKey channel, String nodeId, String socketId, String userId);

    /** Subscriptions (connections) to the channel across the cluster; 0 when unoccupied. */
    Mono<Long> subscriptionCount(ChannelKey channel);

    /** The distinct members of a presence channel, each with its {@code user_info}. */
    Mono<List<PresenceMember>> members(ChannelKey channel);

    /**
     * The occupied channels of an app whose names start with {@code prefix} (empty for all),
     * with their subscription counts and, for presence channels, user counts.
     */
    Flux<ChannelSummary> channels(String appId, String prefix);

    /**
     * Records what the app was last told by webhook about a channel (subject {@link #CHANNEL}:
     * occupied or vacated) or about a presence member (subject: the user id: added or removed),
     * and says whether this announcement changes it. Lets webhooks be sent once per real change
     * even when a leave is announced late and the channel or user came back meanwhile.
     *
     * @param present {@code true} for occupied / member added, {@code false} for vacated / removed
     * @return {@code true} when the webhook should be sent: present and not announced present
     *         before, or absent and announced present before
     */
    Mono<Boolean> announce(ChannelKey channel, String subject, boolean present);

    /** The {@link #announce} subject of the channel itself (user ids are never empty). */
    String CHANNEL = "";

    /** Marks the node alive now. */
    Mono<Void> heartbeat(String nodeId);

    /**
     * Removes the share of every node whose last heartbeat (or join) is older than
     * {@code timeout}, returning the resulting transitions. When several callers race, each
     * transition is returned to exactly one of them. A node that heartbeats again is not reaped
     * further; if it had been reaped, its later leaves of the removed subscriptions are ignored.
     */
    Flux<Transition> reapDeadNodes(Duration timeout);

    /**
     * Records again a subscription this node still holds after its part of the store lost it
     * ({@link #checkForLosses}), <em>without announcing anything</em>: the channel was occupied and
     * the member present all along as far as users and the app know. So it reports no transition,
     * applies no member limit (the member was admitted before), and marks the channel and the member
     * as announced present ({@link #announce}), so that their later vacating or leaving is announced
     * as usual, while a join racing with the re-recording does not announce them a second time.
     *
     * <p>Idempotent: a socket already recorded on the channel changes nothing. Like a join, it marks
     * the node alive. A member joining on its first connection keeps the {@code user_info} given
     * here; further connections of a user already present keep the one recorded.
     *
     * @param member the presence member, or {@code null} for other channel types
     */
    Mono<Void> rejoin(ChannelKey channel, String nodeId, String socketId, PresenceMember member);

    /**
     * Looks for parts of the store that lost their state since this handle last looked (a Redis
     * shard that restarted empty) and reports each. A loss is reported by every call until it is
     * {@linkplain StateLoss#settle settled}, so a re-recording that failed half way is done again.
     * The first look at a part only learns its state. Parts that cannot be reached now are skipped
     * (they are looked at again by a later call); never fails. A store that cannot lose its state
     * without the process (in memory) reports nothing.
     */
    Flux<StateLoss> checkForLosses();

    /**
     * Signals, without waiting for the next regular check, that {@link #checkForLosses} is worth
     * calling now: a part of the store was reached again after an outage (a Redis shard's
     * connection was made again), and may have come back empty. Hot: only what happens after
     * subscribing is signalled. A store that cannot lose its state never signals.
     */
    default Flux<Integer> lossSuspected() {
        return Flux.never();
    }

    /** A part of the store found to have lost its state; see {@link #checkForLosses}. */
    interface StateLoss {

        /** Whether the channel's state was kept in the part that was lost. */
        boolean covers(ChannelKey channel);

        /**
         * This node has recorded again, with {@link #rejoin}, everything it holds in the lost part:
         * the loss is no longer reported (until the part loses its state again).
         */
        void settle();

        /** The lost part, for logs: {@code "Redis shard 1"}. */
        String description();
    }

    /** A presence member: the user id and its {@code user_info} as JSON text ({@code null} when none). */
    record PresenceMember(String userId, String userInfoJson) {
    }

    /**
     * @param channelOccupied this was the channel's first subscription in the cluster
     * @param memberAdded this was the user's first connection to the presence channel
     * @param memberLimitReached the join was refused: the presence channel is full (nothing recorded)
     * @param subscriptionCount subscriptions after the join
     */
    record JoinResult(boolean channelOccupied, boolean memberAdded, boolean memberLimitReached,
            long subscriptionCount) {
    }

    /**
     * @param channelVacated this was the channel's last subscription in the cluster
     * @param memberRemoved this was the user's last connection to the presence channel
     * @param subscriptionCount subscriptions after the leave
     */
    record LeaveResult(boolean channelVacated, boolean memberRemoved, long subscriptionCount) {
    }

    /** One occupied channel, for channel queries. {@code userCount} is {@code null} for non-presence channels. */
    record ChannelSummary(String channel, long subscriptionCount, Long userCount) {
    }

    /** A transition caused by removing a dead node's share. */
    record Transition(ChannelKey channel, Kind kind, String userId) {

        public enum Kind {
            CHANNEL_VACATED, MEMBER_REMOVED
        }
    }
}
