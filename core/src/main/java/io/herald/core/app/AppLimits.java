package io.herald.core.app;

/**
 * The limits of one app. A value of 0 means "no limit" where noted.
 *
 * @param maxConnections concurrent connections across the cluster; 0 = no limit
 * @param maxPublishPerSecond messages per second accepted by the HTTP API; 0 = no limit
 * @param maxClientEventsPerSecond client events per second per connection (Pusher: 10)
 * @param maxPayloadBytes the largest {@code data} of one event, in bytes (Pusher: 10 KB)
 * @param maxPresenceMembers distinct users in one presence channel (Pusher: 100)
 * @param maxUserInfoBytes the largest presence {@code user_info}, in bytes (Pusher: 1 KB)
 */
public record AppLimits(int maxConnections, int maxPublishPerSecond, int maxClientEventsPerSecond,
        int maxPayloadBytes, int maxPresenceMembers, int maxUserInfoBytes) {

    /** Pusher's documented limits; connections and publish rate unlimited. */
    public static final AppLimits DEFAULTS = new AppLimits(0, 0, 10, 10 * 1024, 100, 1024);

    public AppLimits {
        if (maxConnections < 0 || maxPublishPerSecond < 0) {
            throw new IllegalArgumentException("maxConnections and maxPublishPerSecond must be 0 (no limit) or more");
        }
        if (maxClientEventsPerSecond < 1 || maxPayloadBytes < 1 || maxPresenceMembers < 1 || maxUserInfoBytes < 1) {
            throw new IllegalArgumentException(
                    "maxClientEventsPerSecond, maxPayloadBytes, maxPresenceMembers and maxUserInfoBytes must be positive");
        }
    }

    public AppLimits withMaxPayloadBytes(int bytes) {
        return new AppLimits(maxConnections, maxPublishPerSecond, maxClientEventsPerSecond, bytes, maxPresenceMembers,
                maxUserInfoBytes);
    }
}
