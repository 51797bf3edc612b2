package io.herald.core.ratelimit.redis;

import io.herald.core.ratelimit.QuotaDays;
import io.herald.core.ratelimit.RateLimiter;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.state.redis.LuaScript;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * The {@link RateLimiter} on the state Redis ({@code herald.redis.state}): every decision is one
 * Lua script, so it is atomic across all nodes.
 *
 * <p>Keys, with {@code p} the key prefix and the app id as a hash tag (so a Redis Cluster keeps an
 * app's keys together):
 * <ul>
 * <li>a rate: {@code p + "quota:{" + app + "}:" + resource} holding the GCRA's theoretical arrival
 * time in microseconds; it expires {@link #RATE_KEY_SLACK} after that time has passed, i.e. after
 * the bucket has rested and the key says nothing a missing key would not (a stored time in the
 * past counts as "now"). The slack is there because the expiry runs on Redis's clock and the
 * arrival time on the callers': a caller whose clock is behind Redis's, or that was paused
 * between two decisions, must still find the key, or it would be handed a rested bucket;</li>
 * <li>the daily quota: {@code p + "quota:{" + app + "}:daily:" + date} (the local date in the
 * app's zone) holding the units used that day; it expires {@link #DAY_KEY_SLACK} after that
 * day ends.</li>
 * </ul>
 * Time is the caller's clock, sent as an argument (see the port). Failures are the state Redis's:
 * {@link io.herald.core.redis.RedisUnavailableException}, at once while it is unreachable.
 */
public final class RedisGcraRateLimiter implements RateLimiter, AutoCloseable {

    /** How long a day's counter outlives its day: late releases and clocks a little behind still find it. */
    static final Duration DAY_KEY_SLACK = Duration.ofHours(1);

    /** How long a rate's key outlives its bucket's rest: callers' clocks a little behind Redis's still find it. */
    static final Duration RATE_KEY_SLACK = Duration.ofMinutes(1);

    /**
     * KEYS[1] the bucket; ARGV: now (µs), interval (µs per unit), tolerance (µs: burst × interval),
     * units, mode ({@code a} acquire, {@code r} release). Answers {granted, retry after (µs)}.
     */
    static final String RATE = """
            local now = tonumber(ARGV[1])
            local t = tonumber(ARGV[2])
            local tau = tonumber(ARGV[3])
            local n = tonumber(ARGV[4])
            local stored = redis.call('GET', KEYS[1])
            local tat = now
            if stored then tat = math.max(tonumber(stored), now) end
            if ARGV[5] == 'r' then
              if not stored then return {0, 0} end
              tat = math.max(now, tat - n * t)
              if tat > now then
                redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + SLACK_MS)
              else
                redis.call('DEL', KEYS[1])
              end
              return {0, 0}
            end
            local free = math.floor((now + tau - tat) / t + 1e-9)
            local grant = math.max(0, math.min(n, free))
            if grant > 0 then
              tat = tat + grant * t
              redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + SLACK_MS)
            end
            local retry = 0
            if grant < n then retry = math.max(1, math.ceil(tat + t - tau - now)) end
            return {grant, retry}
            """.replace("SLACK_MS", Long.toString(RATE_KEY_SLACK.toMillis()));

    /**
     * KEYS[1] the day's counter; ARGV: limit, units, time to live (ms), mode. Answers {granted, used}.
     */
    static final String DAILY = """
            local used = tonumber(redis.call('GET', KEYS[1]) or '0')
            local n = tonumber(ARGV[2])
            if ARGV[4] == 'r' then
              local back = math.min(n, used)
              if back > 0 then redis.call('DECRBY', KEYS[1], back) end
              return {0, used - back}
            end
            local grant = math.max(0, math.min(n, tonumber(ARGV[1]) - used))
            if grant > 0 then
              redis.call('INCRBY', KEYS[1], grant)
              redis.call('PEXPIRE', KEYS[1], ARGV[3])
            end
            return {grant, used + grant}
            """;

    private static final LuaScript RATE_SCRIPT = new LuaScript(RATE);
    private static final LuaScript DAILY_SCRIPT = new LuaScript(DAILY);

    private final RedisLink<StatefulRedisConnection<String, String>> link;
    private final String prefix;
    private final Clock clock;

    /** Connects to the state Redis of {@code connections} in the background; decisions fail while it is down. */
    public RedisGcraRateLimiter(RedisConnections connections, Clock clock) {
        Objects.requireNonNull(connections, "connections");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.prefix = connections.keyPrefix();
        this.link = connections.connectState("rate limiter",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
    }

    /** The key of a rate quota (for tests and operators). */
    public String rateKey(Quota quota) {
        return prefix + "quota:{" + quota.appId() + "}:" + quota.resource().key();
    }

    /** The key of a daily quota's counter for one epoch day. */
    public String dayKey(Quota quota, long epochDay) {
        return prefix + "quota:{" + quota.appId() + "}:" + quota.resource().key() + ":" + QuotaDays.date(epochDay);
    }

    @Override
    public Mono<Grant> acquire(Quota quota, long units) {
        Objects.requireNonNull(quota, "quota");
        if (units < 1) {
            return Mono.error(new IllegalArgumentException("units must be at least 1"));
        }
        return Mono.defer(() -> {
            Instant now = clock.instant();
            if (quota.kind() == Kind.PER_SECOND) {
                double t = quota.intervalMicros();
                return link.awaitAndRun(c -> RATE_SCRIPT.run(c.reactive(), new String[] {rateKey(quota)},
                        Long.toString(micros(now)), Double.toString(t), Double.toString(quota.burst() * t),
                        Long.toString(units), "a"))
                        .map(reply -> new Grant(number(reply, 0), Duration.ofNanos(number(reply, 1) * 1000), 0));
            }
            long day = QuotaDays.epochDay(now, quota.zone());
            Duration untilNextDay = QuotaDays.untilNextDay(now, quota.zone());
            long ttl = untilNextDay.plus(DAY_KEY_SLACK).toMillis();
            return link.awaitAndRun(c -> DAILY_SCRIPT.run(c.reactive(), new String[] {dayKey(quota, day)},
                    Long.toString(quota.limit()), Long.toString(units), Long.toString(ttl), "a"))
                    .map(reply -> {
                        long granted = number(reply, 0);
                        return new Grant(granted, granted < units ? untilNextDay : Duration.ZERO, day);
                    });
        });
    }

    @Override
    public Mono<Void> release(Quota quota, Grant grant, long units) {
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(grant, "grant");
        if (units < 1) {
            return Mono.empty();
        }
        return Mono.defer(() -> {
            if (quota.kind() == Kind.PER_SECOND) {
                double t = quota.intervalMicros();
                return link.awaitAndRun(c -> RATE_SCRIPT.run(c.reactive(), new String[] {rateKey(quota)},
                        Long.toString(micros(clock.instant())), Double.toString(t),
                        Double.toString(quota.burst() * t), Long.toString(units), "r"));
            }
            return link.awaitAndRun(c -> DAILY_SCRIPT.run(c.reactive(), new String[] {dayKey(quota, grant.window())},
                    Long.toString(quota.limit()), Long.toString(units), "0", "r"));
        }).then();
    }

    private static long number(List<Object> reply, int index) {
        return ((Number) reply.get(index)).longValue();
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }

    @Override
    public void close() {
        link.close();
    }
}
