package io.herald.core.debug;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The live debug console ({@code herald.debug.*}).
 *
 * @param enabled whether this process emits and serves debug console events
 * @param bufferSize notices each watcher's stream holds when it does not keep up; beyond it
 *        events are dropped for that watcher and it is told how many
 * @param maxPublishesInFlight (cluster) events of this process waiting for the state Redis at
 *        once; beyond it they are dropped
 * @param watchTtl (cluster) how long a watch lasts in the state Redis without a refresh: how long
 *        emitters keep sending after a watching process died
 * @param refreshInterval (cluster) how often watches are refreshed and emitters read the watched
 *        apps again (the healing time after a lost announcement or a restarted Redis)
 * @param heartbeatInterval how often the console's stream sends a comment, so proxies keep it open
 */
@ConfigurationProperties("herald.debug")
public record DebugProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("256") int bufferSize,
        @DefaultValue("1000") int maxPublishesInFlight,
        @DefaultValue("10s") Duration watchTtl,
        @DefaultValue("2s") Duration refreshInterval,
        @DefaultValue("15s") Duration heartbeatInterval) {

    public DebugProperties {
        List<String> problems = new ArrayList<>();
        if (bufferSize <= 0) {
            problems.add("herald.debug.buffer-size must be positive");
        }
        if (maxPublishesInFlight <= 0) {
            problems.add("herald.debug.max-publishes-in-flight must be positive");
        }
        if (watchTtl == null || (watchTtl.isNegative() || watchTtl.isZero())) {
            problems.add("herald.debug.watch-ttl must be positive");
        }
        if (refreshInterval == null || (refreshInterval.isNegative() || refreshInterval.isZero())) {
            problems.add("herald.debug.refresh-interval must be positive");
        }
        else if (watchTtl != null && refreshInterval.compareTo(watchTtl) >= 0) {
            problems.add("herald.debug.refresh-interval must be shorter than herald.debug.watch-ttl");
        }
        if (heartbeatInterval == null || (heartbeatInterval.isNegative() || heartbeatInterval.isZero())) {
            problems.add("herald.debug.heartbeat-interval must be positive");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
