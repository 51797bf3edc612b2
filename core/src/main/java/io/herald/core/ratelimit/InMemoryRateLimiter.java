package io.herald.core.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * The {@link RateLimiter} of one process: the same GCRA and daily counters as
 * {@link io.herald.core.ratelimit.redis.RedisGcraRateLimiter}, in a map. Right for a single node
 * (the standalone server) and as the local share a node falls back to.
 *
 * <p>One entry per app and resource: a rate's entry holds its theoretical arrival time, a daily
 * quota's entry only the current day (replaced when the day rolls over), so memory is bounded by
 * the number of apps. Decisions on one entry are serialized by {@link ConcurrentHashMap#compute};
 * never blocks beyond that.
 */
public final class InMemoryRateLimiter implements RateLimiter {

    private final Clock clock;
    private final Map<Key, double[]> state = new ConcurrentHashMap<>();

    public InMemoryRateLimiter(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private record Key(String appId, Resource resource) {
    }

    @Override
    public Mono<Grant> acquire(Quota quota, long units) {
        Objects.requireNonNull(quota, "quota");
        if (units < 1) {
            return Mono.error(new IllegalArgumentException("units must be at least 1"));
        }
        return Mono.fromSupplier(() -> quota.kind() == Kind.PER_SECOND ? acquireRate(quota, units)
                : acquireDaily(quota, units));
    }

    private Grant acquireRate(Quota quota, long units) {
        double now = micros(clock.instant());
        double t = quota.intervalMicros();
        double tau = quota.burst() * t;
        long[] out = new long[2];
        state.compute(new Key(quota.appId(), quota.resource()), (key, cell) -> {
            double tat = cell == null ? now : Math.max(cell[0], now);
            long free = (long) Math.floor((now + tau - tat) / t + 1e-9);
            long grant = Math.max(0, Math.min(units, free));
            tat += grant * t;
            out[0] = grant;
            out[1] = grant < units ? Math.max(1, (long) Math.ceil(tat + t - tau - now)) : 0;
            return new double[] {tat};
        });
        return new Grant(out[0], Duration.ofNanos(out[1] * 1000), 0);
    }

    private Grant acquireDaily(Quota quota, long units) {
        Instant now = clock.instant();
        long day = QuotaDays.epochDay(now, quota.zone());
        long[] out = new long[1];
        state.compute(new Key(quota.appId(), quota.resource()), (key, cell) -> {
            double used = cell != null && cell[0] == day ? cell[1] : 0;
            long grant = Math.max(0, Math.min(units, quota.limit() - (long) used));
            out[0] = grant;
            return new double[] {day, used + grant};
        });
        Duration retry = out[0] < units ? QuotaDays.untilNextDay(now, quota.zone()) : Duration.ZERO;
        return new Grant(out[0], retry, day);
    }

    @Override
    public Mono<Void> release(Quota quota, Grant grant, long units) {
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(grant, "grant");
        if (units < 1) {
            return Mono.empty();
        }
        return Mono.fromRunnable(() -> {
            double now = micros(clock.instant());
            state.computeIfPresent(new Key(quota.appId(), quota.resource()), (key, cell) -> {
                if (quota.kind() == Kind.PER_SECOND) {
                    return new double[] {Math.max(now, cell[0] - units * quota.intervalMicros())};
                }
                return cell[0] == grant.window() ? new double[] {cell[0], Math.max(0, cell[1] - units)} : cell;
            });
        });
    }

    private static double micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000.0 + instant.getNano() / 1000;
    }
}
