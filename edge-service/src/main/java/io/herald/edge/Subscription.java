package io.herald.edge;

import io.herald.core.names.ChannelType;
import io.herald.core.state.ChannelState.PresenceMember;
import java.util.Objects;

/**
 * One channel subscription of a connection: one attempt, from the client's {@code pusher:subscribe}
 * until its unsubscribe or the connection's end.
 *
 * <p>Not a value: equality is identity. A connection's map of subscriptions is updated with
 * {@code replace(channel, expected, next)} and {@code remove(channel, expected)}, which compare
 * with {@code equals}; a subscribe that follows an unsubscribe of the same channel has the same
 * type and user, and must never be mistaken for the attempt it replaced (issue 7).
 */
public final class Subscription {

    private final ChannelType type;
    private final String userId;
    /** The member's {@code user_info} JSON, kept to record the member again if the channel state loses it. */
    private final String userInfoJson;
    private final boolean tracked;
    private final boolean confirmed;

    private Subscription(ChannelType type, String userId, String userInfoJson, boolean tracked, boolean confirmed) {
        this.type = Objects.requireNonNull(type, "type");
        this.userId = userId;
        this.userInfoJson = userInfoJson;
        this.tracked = tracked;
        this.confirmed = confirmed;
    }

    /**
     * A subscription being authorized and recorded: whoever finishes that confirms it, or undoes
     * what it recorded if it was withdrawn meanwhile.
     *
     * @param member the presence member, or {@code null} for other types
     */
    static Subscription pending(ChannelType type, PresenceMember member) {
        return member == null ? new Subscription(type, null, null, true, false)
                : new Subscription(type, member.userId(), member.userInfoJson(), true, false);
    }

    /**
     * A confirmed subscription that is not recorded in the cluster-wide channel state: a signed-in
     * user's own {@code #server-to-user-} channel.
     */
    static Subscription untracked(ChannelType type, String userId) {
        return new Subscription(type, userId, null, false, true);
    }

    /** The channel's type. */
    public ChannelType type() {
        return type;
    }

    /** The presence member's user id, or {@code null} for other types. */
    public String userId() {
        return userId;
    }

    /** The presence member as it joined (user id and {@code user_info}), or {@code null} for other types. */
    public PresenceMember member() {
        return userId == null || !type.isPresence() ? null : new PresenceMember(userId, userInfoJson);
    }

    /**
     * Whether it is recorded in the cluster-wide channel state (every channel but a user's own
     * {@code #server-to-user-} channel).
     */
    public boolean tracked() {
        return tracked;
    }

    /** Whether {@code subscription_succeeded} was sent; until then it is pending. */
    public boolean confirmed() {
        return confirmed;
    }

    /** This pending subscription confirmed: a new object, which the map's {@code replace} puts in its place. */
    Subscription confirm() {
        return new Subscription(type, userId, userInfoJson, tracked, true);
    }

    @Override
    public String toString() {
        return "Subscription[type=" + type + ", userId=" + userId + ", tracked=" + tracked + ", confirmed="
                + confirmed + "]";
    }
}
