package io.herald.edge.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits and timings of the edge's WebSocket connections ({@code herald.edge.*}).
 *
 * @param activityTimeout the {@code activity_timeout} announced to clients: after this long
 *        without a frame from a client, the server sends {@code pusher:ping} (clients ping on
 *        their own after the smaller of this and their own setting)
 * @param pongTimeout how long a client has to answer the server's {@code pusher:ping} (any
 *        frame counts) before it is closed with 4201
 * @param maxFrameSize the largest inbound WebSocket frame, and message with its fragments joined;
 *        a larger one closes the connection with 1009 (message too big)
 * @param maxSubscriptions the most channels one connection may be subscribed to; further
 *        subscriptions are refused with {@code pusher:subscription_error}
 * @param maxOutboundMessages the most frames queued for one connection that is not reading
 *        fast enough (written, not yet taken by its socket); when exceeded the connection is
 *        closed with 4100 instead of growing memory
 * @param maxOutboundBytes the most bytes queued for one connection that is not reading fast
 *        enough (Netty's count: frame bytes plus a small overhead per frame); when a frame would
 *        pass it the connection is closed with 4100. A single frame into an empty queue is
 *        always accepted, whatever its size
 * @param supportedProtocols the lowest and highest Pusher protocol versions accepted, as
 *        {@code min-max}
 * @param drainPeriod on shutdown, the time over which clients are told to reconnect (4200),
 *        spread evenly so that they do not all move to the other nodes at once
 * @param drainTimeout on shutdown, the longest wait for clients to leave (at least the drain period)
 * @param drainHandover on shutdown, how long the channel-state leaves of the connections that
 *        closed wait before they are recorded, so that a client that reconnected to another node
 *        within it is still present there (no {@code member_removed} and {@code member_added} for a
 *        user who moved, no {@code channel_vacated}); a user not back by then is removed by this
 *        node. The shutdown waits for them: at most drain timeout + handover. Zero: leaves at once.
 *        Longer than the client's reconnect (pusher-java-client waits 1 s after a 4200, 4 s more
 *        when that attempt fails) plus a handshake and its subscribes
 * @param webhookLeaveDelay how long after a channel's last subscriber or a presence user's last
 *        connection leaves the {@code channel_vacated} / {@code member_removed} webhook waits; if
 *        the channel or user is back by then, none is sent (Pusher: up to 3 s); a dead node's
 *        departures are announced when it is reaped, without this delay
 * @param userAuthenticationTimeout for apps that require user authentication, how long a
 *        connection may stay without {@code pusher:signin} before it is closed with 4009
 * @param maxStateCommandsInFlight the most channel-state commands (joins, leaves, member lists)
 *        this node has waiting for their shard's answer; a subscribe beyond it is refused at once
 *        with a retryable {@code subscription_error} ({@code ServerBusy}, 503) instead of queueing
 *        behind the others until they all time out. Leaves are counted but never refused
 * @param stateRepairInterval how often leaves that failed (the undo of a join whose answer was
 *        lost, or the end of a subscription while the shard was slow or down) are tried again,
 *        until the channel state records them
 */
@ConfigurationProperties("herald.edge")
public record EdgeProperties(
        @DefaultValue("120s") Duration activityTimeout,
        @DefaultValue("30s") Duration pongTimeout,
        @DefaultValue("64KB") DataSize maxFrameSize,
        @DefaultValue("256") int maxSubscriptions,
        @DefaultValue("1024") int maxOutboundMessages,
        @DefaultValue("1MB") DataSize maxOutboundBytes,
        @DefaultValue("5-7") String supportedProtocols,
        @DefaultValue("3s") Duration drainPeriod,
        @DefaultValue("5s") Duration drainTimeout,
        @DefaultValue("10s") Duration drainHandover,
        @DefaultValue("30s") Duration userAuthenticationTimeout,
        @DefaultValue("3s") Duration webhookLeaveDelay,
        @DefaultValue("1000") int maxStateCommandsInFlight,
        @DefaultValue("1s") Duration stateRepairInterval) {

    public EdgeProperties {
        if (activityTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("herald.edge.activity-timeout must be at least 1s");
        }
        if (pongTimeout.isNegative() || pongTimeout.isZero()) {
            throw new IllegalArgumentException("herald.edge.pong-timeout must be positive");
        }
        if (maxSubscriptions < 1) {
            throw new IllegalArgumentException("herald.edge.max-subscriptions must be at least 1");
        }
        if (maxStateCommandsInFlight < 1) {
            throw new IllegalArgumentException("herald.edge.max-state-commands-in-flight must be at least 1");
        }
        if (stateRepairInterval.isNegative() || stateRepairInterval.isZero()) {
            throw new IllegalArgumentException("herald.edge.state-repair-interval must be positive");
        }
        if (maxOutboundBytes.toBytes() < 1) {
            throw new IllegalArgumentException("herald.edge.max-outbound-bytes must be at least 1B");
        }
        if (maxOutboundMessages < 1) {
            throw new IllegalArgumentException("herald.edge.max-outbound-messages must be at least 1");
        }
        // Each of these would end every connection at its first frame, or at once.
        if (maxFrameSize.toBytes() < 1) {
            throw new IllegalArgumentException("herald.edge.max-frame-size must be at least 1B");
        }
        if (userAuthenticationTimeout.isNegative() || userAuthenticationTimeout.isZero()) {
            throw new IllegalArgumentException("herald.edge.user-authentication-timeout must be positive");
        }
        if (webhookLeaveDelay.isNegative()) {
            throw new IllegalArgumentException("herald.edge.webhook-leave-delay must be zero or more");
        }
        if (drainPeriod.isNegative()) {
            throw new IllegalArgumentException("herald.edge.drain-period must be zero or more");
        }
        if (drainHandover.isNegative() || drainHandover.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("herald.edge.drain-handover must be between 0s and 1m");
        }
        if (drainTimeout.compareTo(drainPeriod) < 0) {
            throw new IllegalArgumentException("herald.edge.drain-timeout must be at least herald.edge.drain-period");
        }
        minProtocol(supportedProtocols);
        maxProtocol(supportedProtocols);
    }

    public int minProtocol() {
        return minProtocol(supportedProtocols);
    }

    public int maxProtocol() {
        return maxProtocol(supportedProtocols);
    }

    private static int minProtocol(String range) {
        return parse(range)[0];
    }

    private static int maxProtocol(String range) {
        return parse(range)[1];
    }

    private static int[] parse(String range) {
        String[] parts = range.split("-", 2);
        try {
            int min = Integer.parseInt(parts[0].trim());
            int max = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : min;
            if (min < 1 || max < min) {
                throw new NumberFormatException();
            }
            return new int[] { min, max };
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("herald.edge.supported-protocols must look like 5-7, was " + range);
        }
    }
}
