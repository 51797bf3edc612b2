package io.herald.core.ratelimit;

import io.herald.core.app.App;
import io.herald.core.app.AppLimits;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * An app's quotas as {@link Quota}s, from its {@link AppLimits}; empty where the limit is 0
 * (none), so unlimited apps never reach the limiter.
 */
public final class AppQuotas {

    private final Duration burst;

    /** @param burst how much of a per-second rate may be spent at once (see {@link RateLimitProperties#burst()}) */
    public AppQuotas(Duration burst) {
        this.burst = Objects.requireNonNull(burst, "burst");
    }

    /** Messages per second through the HTTP API. */
    public Optional<Quota> publishRate(App app) {
        return rate(app.id(), Resource.PUBLISH_MESSAGES, app.limits().maxPublishPerSecond());
    }

    /** HTTP API requests per second. */
    public Optional<Quota> apiRequestRate(App app) {
        return rate(app.id(), Resource.API_REQUESTS, app.limits().maxApiRequestsPerSecond());
    }

    /** Messages per day, days in the app's zone. */
    public Optional<Quota> dailyMessages(App app) {
        long limit = app.limits().maxMessagesPerDay();
        return limit <= 0 ? Optional.empty()
                : Optional.of(Quota.perDay(app.id(), Resource.DAILY_MESSAGES, limit, app.limits().timeZone()));
    }

    private Optional<Quota> rate(String appId, Resource resource, long limit) {
        if (limit <= 0) {
            return Optional.empty();
        }
        long units = Math.max(1, (long) Math.ceil(limit * (burst.toNanos() / 1e9)));
        return Optional.of(Quota.perSecond(appId, resource, limit, units));
    }
}
