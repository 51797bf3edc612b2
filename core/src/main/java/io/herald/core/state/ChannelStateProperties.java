package io.herald.core.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Cluster-wide channel state and cache channels ({@code herald.state.*}).
 *
 * <p>A dead node's presence members and subscriptions are removed within about
 * {@code node-timeout + heartbeat-interval} of its last heartbeat: 30 s with the defaults; their
 * {@code member_removed} and {@code channel_vacated} webhooks are queued then too, without the
 * edge's leave delay.
 *
 * @param heartbeatInterval how often each edge node marks itself alive, and how often it looks
 *        for dead nodes to reap
 * @param nodeTimeout how long a node may stay silent before it is taken for dead and its share
 *        of channel state is removed; must exceed two heartbeat intervals, so a live node that
 *        misses one heartbeat is not reaped
 * @param reapLockTtl how long one reaper holds a dead node's lock (Redis only); after that
 *        another node may take over a cleanup that did not finish
 * @param epochCheckInterval how often each edge node checks whether a channel shard lost its
 *        state (it restarted without its data); when one did, every node re-records what it holds
 *        there. Nodes also check as soon as they reconnect to a shard; this bounds how long channel
 *        queries and presence stay wrong after such a restart should that check be missed
 * @param cacheTtl how long a cache channel keeps its last event (Pusher: up to 30 minutes)
 * @param cacheMaxChannels the most cache channels whose last event the in-memory store keeps;
 *        beyond it the least recently published is dropped (Redis is bounded by its own memory
 *        policy instead)
 */
@ConfigurationProperties("herald.state")
public record ChannelStateProperties(
        @DefaultValue("5s") Duration heartbeatInterval,
        @DefaultValue("25s") Duration nodeTimeout,
        @DefaultValue("10s") Duration reapLockTtl,
        @DefaultValue("1s") Duration epochCheckInterval,
        @DefaultValue("30m") Duration cacheTtl,
        @DefaultValue("10000") int cacheMaxChannels) {

    /** The defaults. */
    public static final ChannelStateProperties DEFAULTS = new ChannelStateProperties(Duration.ofSeconds(5),
            Duration.ofSeconds(25), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(30), 10_000);

    public ChannelStateProperties {
        List<String> problems = new ArrayList<>();
        if (heartbeatInterval == null || heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            problems.add("herald.state.heartbeat-interval must be positive, was " + heartbeatInterval);
        }
        else if (nodeTimeout == null || nodeTimeout.compareTo(heartbeatInterval.multipliedBy(2)) <= 0) {
            problems.add("herald.state.node-timeout must be more than twice herald.state.heartbeat-interval ("
                    + heartbeatInterval + "), was " + nodeTimeout);
        }
        if (reapLockTtl == null || reapLockTtl.toMillis() < 1) {
            problems.add("herald.state.reap-lock-ttl must be at least 1ms, was " + reapLockTtl);
        }
        if (epochCheckInterval == null || epochCheckInterval.toMillis() < 1) {
            problems.add("herald.state.epoch-check-interval must be at least 1ms, was " + epochCheckInterval);
        }
        if (cacheTtl == null || cacheTtl.toMillis() < 1) {
            problems.add("herald.state.cache-ttl must be at least 1ms, was " + cacheTtl);
        }
        if (cacheMaxChannels < 1) {
            problems.add("herald.state.cache-max-channels must be positive, was " + cacheMaxChannels);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
