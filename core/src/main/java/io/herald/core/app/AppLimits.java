package io.herald.core.app;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * The limits of one app. A value of 0 means "no limit" where noted. The quotas among them
 * (connections, publish rate, API request rate, messages per day) are enforced cluster-wide
 * through the {@link io.herald.core.ratelimit.RateLimiter} port; see {@code docs/quotas.md}.
 *
 * @param maxConnections concurrent connections across the cluster; 0 = no limit (over it: 4004)
 * @param maxPublishPerSecond messages per second accepted by the HTTP API (an event to 3 channels
 *        is 3 messages, as Pusher counts them); 0 = no limit (over it: 429)
 * @param maxClientEventsPerSecond client events per second per connection (Pusher: 10)
 * @param maxPayloadBytes the largest {@code data} of one event, in bytes (Pusher: 10 KB)
 * @param maxPresenceMembers distinct users in one presence channel (Pusher: 100)
 * @param maxUserInfoBytes the largest presence {@code user_info}, in bytes (Pusher: 1 KB)
 * @param maxApiRequestsPerSecond HTTP API requests per second, of any kind; 0 = no limit (over it: 429)
 * @param maxMessagesPerDay messages per day through the HTTP API; 0 = no limit (over it: 403 until
 *        the day rolls over in {@code timeZone})
 * @param timeZone the zone whose midnight starts a new day for {@code maxMessagesPerDay}; UTC by default
 */
public record AppLimits(int maxConnections, int maxPublishPerSecond, int maxClientEventsPerSecond,
        int maxPayloadBytes, int maxPresenceMembers, int maxUserInfoBytes, int maxApiRequestsPerSecond,
        long maxMessagesPerDay, ZoneId timeZone) {

    /** Pusher's documented limits; connections, rates and the daily quota unlimited, days in UTC. */
    public static final AppLimits DEFAULTS = new AppLimits(0, 0, 10, 10 * 1024, 100, 1024, 0, 0, ZoneOffset.UTC);

    public AppLimits {
        if (maxConnections < 0 || maxPublishPerSecond < 0 || maxApiRequestsPerSecond < 0 || maxMessagesPerDay < 0) {
            throw new IllegalArgumentException("maxConnections, maxPublishPerSecond, maxApiRequestsPerSecond and "
                    + "maxMessagesPerDay must be 0 (no limit) or more");
        }
        if (maxClientEventsPerSecond < 1 || maxPayloadBytes < 1 || maxPresenceMembers < 1 || maxUserInfoBytes < 1) {
            throw new IllegalArgumentException(
                    "maxClientEventsPerSecond, maxPayloadBytes, maxPresenceMembers and maxUserInfoBytes must be positive");
        }
        timeZone = timeZone == null ? ZoneOffset.UTC : timeZone;
    }

    /** Limits without the API request rate and the daily quota (both unlimited, UTC). */
    public AppLimits(int maxConnections, int maxPublishPerSecond, int maxClientEventsPerSecond, int maxPayloadBytes,
            int maxPresenceMembers, int maxUserInfoBytes) {
        this(maxConnections, maxPublishPerSecond, maxClientEventsPerSecond, maxPayloadBytes, maxPresenceMembers,
                maxUserInfoBytes, 0, 0, ZoneOffset.UTC);
    }

    public AppLimits withMaxPayloadBytes(int bytes) {
        return new AppLimits(maxConnections, maxPublishPerSecond, maxClientEventsPerSecond, bytes, maxPresenceMembers,
                maxUserInfoBytes, maxApiRequestsPerSecond, maxMessagesPerDay, timeZone);
    }

    /** These limits with the quotas replaced (0 = no limit). */
    public AppLimits withQuotas(int connections, int publishPerSecond, int apiRequestsPerSecond, long messagesPerDay,
            ZoneId zone) {
        return new AppLimits(connections, publishPerSecond, maxClientEventsPerSecond, maxPayloadBytes,
                maxPresenceMembers, maxUserInfoBytes, apiRequestsPerSecond, messagesPerDay,
                Objects.requireNonNull(zone, "zone"));
    }
}
