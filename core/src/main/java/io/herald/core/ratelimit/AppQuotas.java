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

    /**
     * The message of a request refused by an app's API request rate. Publish nodes and the
     * gateway refuse with the same words, so a tenant sees one answer whichever decided.
     */
    public static String apiRequestRateExceeded(String appId, long limit, Duration retryAfter) {
        return "Over the API request rate of app " + appId + " (" + limit + " requests per second); retry after "
                + retryAfterSeconds(retryAfter) + " s";
    }

    /** Whole seconds, rounded up, at least 1: what {@code Retry-After} carries. */
    public static long retryAfterSeconds(Duration duration) {
        return Math.max(1, duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0));
    }

    private Optional<Quota> rate(String appId, Resource resource, long limit) {
        if (limit <= 0) {
            return Optional.empty();
        }
        long units = Math.max(1, (long) Math.ceil(limit * (burst.toNanos() / 1e9)));
        return Optional.of(Quota.perSecond(appId, resource, limit, units));
    }
}
