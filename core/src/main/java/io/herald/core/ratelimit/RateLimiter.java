package io.herald.core.ratelimit;

import io.herald.core.names.Names;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Per-tenant quotas: acquire {@code n} units of an app's resource, cluster-wide.
 *
 * <p><b>What callers may rely on.</b>
 * <ul>
 * <li><b>Atomic</b>: one {@link #acquire} is one decision; concurrent callers on any number of
 * nodes sharing the adapter's store never get more than the quota between them (the Redis
 * adapter decides in one Lua script on the state Redis).</li>
 * <li><b>Partial grants</b>: a request for {@code n} units is granted {@code 0..n}; callers that
 * need all or nothing release what they got ({@link #release}) and refuse. A grant short of
 * {@code n} carries {@link Grant#retryAfter()}: how long until at least one more unit is free
 * (a rate: about one emission interval; the daily quota: until midnight in the quota's zone).</li>
 * <li><b>Rates</b> ({@link Kind#PER_SECOND}) are a GCRA (generic cell rate algorithm, a token
 * bucket kept as one timestamp): units are freed at {@code limit} per second, and at most
 * {@code burst} may be taken at once from a rested bucket. So over any window of {@code W}
 * seconds at most {@code limit × W + burst} units are granted.</li>
 * <li><b>The daily quota</b> ({@link Kind#PER_DAY}) is a counter per local date in the quota's
 * zone: at most {@code limit} units per day; it starts again at midnight in that zone.</li>
 * <li><b>Release</b> gives back units of an earlier grant that were not used (a lease's rest):
 * a rate's bucket is rewound by that many intervals (never below "rested"), the daily counter of
 * the grant's day is decreased. Releasing more than was granted is a caller bug and is capped,
 * never an error.</li>
 * <li><b>Idle tenants cost nothing</b>: the Redis keys expire when they no longer hold
 * anything a fresh key would not (a rate's key when its bucket has rested, a day's counter after
 * that day).</li>
 * <li><b>Time</b> is the caller's clock (an injected {@link java.time.Clock}), sent with each
 * decision so that tests can move it by hand; nodes are expected to keep their clocks in sync
 * (NTP). A node whose clock runs ahead takes units a little early, never more of them.</li>
 * <li><b>Errors</b>: when the store is unreachable the {@code Mono} fails (the Redis adapter with
 * {@link io.herald.core.redis.RedisUnavailableException}). The port itself does not fail open;
 * callers decide (see {@link LeasedRateLimiter}: quotas may fail open to a local share for a
 * bounded time, documented in {@code docs/quotas.md}).</li>
 * <li>Never blocks; the {@code Mono}s complete on the adapter's threads.</li>
 * </ul>
 */
public interface RateLimiter {

    /** Takes up to {@code units} (at least 1) of {@code quota}. */
    Mono<Grant> acquire(Quota quota, long units);

    /** Gives back {@code units} of {@code grant} (a grant of the same quota) that were not used. */
    Mono<Void> release(Quota quota, Grant grant, long units);

    /** How a quota's units come back. */
    enum Kind {
        /** A rate: {@code limit} units per second, at most {@code burst} at once (GCRA). */
        PER_SECOND,
        /** A daily quota: {@code limit} units per local date in {@code zone}. */
        PER_DAY
    }

    /** What is limited; the name is part of the Redis key and of metrics. */
    enum Resource {
        /** Messages published through the HTTP API (an event to 3 channels is 3). */
        PUBLISH_MESSAGES("publish"),
        /** HTTP API requests of any kind. */
        API_REQUESTS("api"),
        /** Messages per day through the HTTP API. */
        DAILY_MESSAGES("daily");

        private final String key;

        Resource(String key) {
            this.key = key;
        }

        /** The short name in keys and tags: {@code publish}, {@code api}, {@code daily}. */
        public String key() {
            return key;
        }
    }

    /**
     * One quota of one app.
     *
     * @param appId the app
     * @param resource what is limited
     * @param kind a rate or a daily quota
     * @param limit units per second or per day; at least 1 (an unlimited resource is not asked for)
     * @param burst for a rate, the most units taken at once from a rested bucket (at least 1); for a
     *        daily quota, equal to {@code limit}
     * @param zone for a daily quota, where its days start; UTC for a rate
     */
    record Quota(String appId, Resource resource, Kind kind, long limit, long burst, ZoneId zone) {

        public Quota {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(zone, "zone");
            if (!Names.isValidAppId(appId)) {
                throw new IllegalArgumentException("appId must be a valid app id");
            }
            if (limit < 1 || burst < 1) {
                throw new IllegalArgumentException("limit and burst must be at least 1");
            }
        }

        /** A rate of {@code limit} per second with {@code burst} at once. */
        public static Quota perSecond(String appId, Resource resource, long limit, long burst) {
            return new Quota(appId, resource, Kind.PER_SECOND, limit, burst, java.time.ZoneOffset.UTC);
        }

        /** {@code limit} per day, days starting at midnight in {@code zone}. */
        public static Quota perDay(String appId, Resource resource, long limit, ZoneId zone) {
            return new Quota(appId, resource, Kind.PER_DAY, limit, limit, zone);
        }

        /** A rate's emission interval: the time one unit takes to come back, in microseconds. */
        public double intervalMicros() {
            return 1_000_000.0 / limit;
        }
    }

    /**
     * The answer to one {@link #acquire}.
     *
     * @param granted the units taken, {@code 0..n}
     * @param retryAfter when fewer than asked were granted, how long until one more unit is free;
     *        {@link Duration#ZERO} when all were granted
     * @param window for a daily quota, the epoch day (in its zone) the units were counted on, which
     *        {@link #release} uses; 0 for a rate
     */
    record Grant(long granted, Duration retryAfter, long window) {

        public Grant {
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (granted < 0) {
                throw new IllegalArgumentException("granted must be 0 or more");
            }
        }
    }
}
