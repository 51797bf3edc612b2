package io.herald.core.app.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the services that hold the app registry in the state Redis notice that it lost everything
 * (restarted without persistence, flushed) and recover ({@code herald.redis.apps.*}); see
 * {@link RedisAppStore#watch}.
 *
 * @param checkInterval how often the state Redis is checked for the loss of its apps (its epoch
 *        marker gone); the configured apps ({@code herald.apps}) are re-applied when it is, so
 *        this is about how long a lost seeded app stays unavailable at most
 * @param lossGrace for how long after such a loss an app that is missing counts as "unknown for
 *        now" (lookups fail retryably; edges keep serving their last known view and close
 *        nothing) rather than as "no such app"; apps deleted through the admin API meanwhile are
 *        still deleted at once
 */
@ConfigurationProperties("herald.redis.apps")
public record AppRecoveryProperties(
        @DefaultValue("5s") Duration checkInterval,
        @DefaultValue("1h") Duration lossGrace) {

    public AppRecoveryProperties {
        List<String> problems = new ArrayList<>();
        if (checkInterval == null || checkInterval.isNegative() || checkInterval.isZero()) {
            problems.add("herald.redis.apps.check-interval must be positive");
        }
        if (lossGrace == null || lossGrace.isNegative() || lossGrace.isZero()) {
            problems.add("herald.redis.apps.loss-grace must be positive");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid app recovery configuration: " + String.join("; ", problems));
        }
    }

    public static final AppRecoveryProperties DEFAULTS = new AppRecoveryProperties(Duration.ofSeconds(5),
            Duration.ofHours(1));
}
