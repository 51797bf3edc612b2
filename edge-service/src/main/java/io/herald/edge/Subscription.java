package io.herald.edge;

import io.herald.core.names.ChannelType;

/**
 * One channel subscription of a connection.
 *
 * @param type the channel's type
 * @param userId the presence member's user id, or {@code null} for other types
 * @param tracked whether it is recorded in the cluster-wide channel state (every channel but a
 *        user's own {@code #server-to-user-} channel)
 * @param confirmed whether {@code subscription_succeeded} was sent; until then it is being
 *        authorized and recorded, and whoever finishes that undoes it if it was abandoned
 */
public record Subscription(ChannelType type, String userId, boolean tracked, boolean confirmed) {

    Subscription confirm() {
        return new Subscription(type, userId, tracked, true);
    }
}
