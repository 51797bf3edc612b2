package io.herald.core.usage.redis;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.usage.UsageCounts;
import io.herald.core.usage.UsageDelta;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageRetention;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@link UsageStore} on the state Redis. Keys, under {@code {prefix}usage:}:
 * <ul>
 * <li>{@code m:{app}:{start}}, {@code h:…}, {@code d:…}: a hash per bucket (minute, hour, day;
 * start in epoch seconds), field per quantity; expires at the bucket's end plus its retention.
 * The cluster's series use the app id {@value UsageStore#CLUSTER}.</li>
 * <li>{@code t:{app}}: the all-time total, never expires.</li>
 * <li>{@code s:{app}:{second}}: per second, each node's peak (field = node, for the cluster
 * node:app) and their sum {@code _sum}; kept for the peak window after its last delta.</li>
 * <li>{@code n:{node}:low} and {@code n:{node}:seqs}: the node's applied sequence numbers, all
 * up to {@code low} and the set of those above it (small: only numbers applied out of order
 * wait there); kept for the node retention after its last delta.</li>
 * </ul>
 * {@link #apply} is one Lua script: the duplicate check, every series and total, and the record
 * of the sequence number, so a delta is counted entirely or not at all, and once.
 */
public final class RedisUsageStore implements UsageStore, AutoCloseable {

    /**
     * KEYS: 1 node low, 2 node seqs, 3 second app, 4 second cluster, 5-8 app m/h/d/t, 9-12 cluster m/h/d/t.
     * ARGV: 1 seq, 2 node ttl ms, 3 second ttl ms, 4-6 m/h/d expire-at ms, 7 peak, 8 node, 9 app,
     * then field, count pairs. Answers 1 when applied, 0 for a duplicate.
     */
    private static final String APPLY = """
            local seq = tonumber(ARGV[1])
            local low = tonumber(redis.call('GET', KEYS[1]) or '0')
            if seq <= low or redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
            redis.call('SADD', KEYS[2], ARGV[1])
            while redis.call('SISMEMBER', KEYS[2], string.format('%d', low + 1)) == 1 do
              redis.call('SREM', KEYS[2], string.format('%d', low + 1))
              low = low + 1
            end
            redis.call('SET', KEYS[1], string.format('%d', low), 'PX', ARGV[2])
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            for i = 10, #ARGV, 2 do
              for k = 5, 12 do redis.call('HINCRBY', KEYS[k], ARGV[i], ARGV[i + 1]) end
            end
            local peak = tonumber(ARGV[7])
            if peak > 0 then
              local function raise(key, field)
                local old = tonumber(redis.call('HGET', key, field) or '0')
                if peak > old then
                  redis.call('HSET', key, field, peak)
                  redis.call('HINCRBY', key, '_sum', peak - old)
                end
                redis.call('PEXPIRE', key, ARGV[3])
                return tonumber(redis.call('HGET', key, '_sum') or '0')
              end
              local sums = { raise(KEYS[3], ARGV[8]), raise(KEYS[4], ARGV[8] .. ':' .. ARGV[9]) }
              for s = 1, 2 do
                for k = 1, 4 do
                  local key = KEYS[4 + (s - 1) * 4 + k]
                  local old = tonumber(redis.call('HGET', key, 'peak_connections') or '0')
                  if sums[s] > old then redis.call('HSET', key, 'peak_connections', sums[s]) end
                end
              end
            end
            for s = 0, 1 do
              for k = 1, 3 do
                local key = KEYS[4 + s * 4 + k]
                if redis.call('EXISTS', key) == 1 then redis.call('PEXPIREAT', key, ARGV[3 + k]) end
              end
            end
            return 1
            """;

    private final RedisLink<StatefulRedisConnection<String, String>> link;
    private final String prefix;
    private final UsageRetention retention;
    private final String sha;

    public RedisUsageStore(RedisConnections connections, UsageRetention retention) {
        Objects.requireNonNull(connections, "connections");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.prefix = connections.keyPrefix() + "usage:";
        this.link = connections.connectState("usage store",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(APPLY.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-1 is required of every JVM", ex);
        }
    }

    @Override
    public Mono<Boolean> apply(UsageDelta delta) {
        Objects.requireNonNull(delta, "delta");
        Instant at = delta.at();
        long second = at.truncatedTo(ChronoUnit.SECONDS).getEpochSecond();
        List<String> keys = new ArrayList<>(12);
        keys.add(prefix + "n:" + delta.node() + ":low");
        keys.add(prefix + "n:" + delta.node() + ":seqs");
        keys.add(prefix + "s:" + delta.appId() + ":" + second);
        keys.add(prefix + "s:" + CLUSTER + ":" + second);
        for (String id : new String[] { delta.appId(), CLUSTER }) {
            for (UsageStep step : UsageStep.values()) {
                keys.add(bucketKey(step, id, step.bucketOf(at)));
            }
            keys.add(prefix + "t:" + id);
        }
        List<String> args = new ArrayList<>();
        args.add(Long.toString(delta.sequence()));
        args.add(Long.toString(retention.nodes().toMillis()));
        args.add(Long.toString(retention.peakWindow().toMillis()));
        for (UsageStep step : UsageStep.values()) {
            args.add(Long.toString(step.bucketOf(at).plus(step.length()).plus(retention.of(step)).toEpochMilli()));
        }
        args.add(Long.toString(delta.counts().get(UsageQuantity.PEAK_CONNECTIONS)));
        args.add(delta.node());
        args.add(delta.appId());
        delta.counts().values().forEach((quantity, count) -> {
            if (!quantity.isPeak()) {
                args.add(quantity.wireName());
                args.add(Long.toString(count));
            }
        });
        String[] k = keys.toArray(String[]::new);
        String[] a = args.toArray(String[]::new);
        return link.awaitAndRun(c -> eval(c.reactive(), k, a)).map(applied -> applied == 1L);
    }

    private Mono<Long> eval(RedisReactiveCommands<String, String> commands, String[] keys, String[] args) {
        return commands.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args).next()
                .onErrorResume(RedisNoScriptException.class,
                        ex -> commands.<Long>eval(APPLY, ScriptOutputType.INTEGER, keys, args).next());
    }

    private String bucketKey(UsageStep step, String id, Instant start) {
        return prefix + step.key() + ":" + id + ":" + start.getEpochSecond();
    }

    @Override
    public Mono<UsageReport> read(String appId, Instant from, Instant to, UsageStep step) {
        Objects.requireNonNull(appId, "appId");
        return Mono.fromCallable(() -> UsageStore.bucketStarts(from, to, step))
                .flatMap(starts -> Flux.fromIterable(starts)
                        .flatMapSequential(start -> link.awaitAndRun(c -> c.reactive()
                                .hgetall(bucketKey(step, appId, start)).collectMap(kv -> kv.getKey(), kv -> kv.getValue()))
                                .map(fields -> new UsageBucket(start, counts(fields))), 64)
                        .collectList()
                        .zipWith(link.awaitAndRun(c -> c.reactive().hgetall(prefix + "t:" + appId)
                                .collectMap(kv -> kv.getKey(), kv -> kv.getValue())).map(RedisUsageStore::counts))
                        .map(both -> new UsageReport(appId, step, both.getT1(), both.getT2())));
    }

    @Override
    public Mono<Long> connectionsIn(String appId, Instant second) {
        Objects.requireNonNull(appId, "appId");
        String key = prefix + "s:" + appId + ":" + second.truncatedTo(ChronoUnit.SECONDS).getEpochSecond();
        return link.awaitAndRun(c -> c.reactive().hget(key, "_sum")).map(Long::parseLong).defaultIfEmpty(0L);
    }

    private static UsageCounts counts(Map<String, String> fields) {
        EnumMap<UsageQuantity, Long> values = new EnumMap<>(UsageQuantity.class);
        fields.forEach((name, value) -> {
            UsageQuantity quantity = UsageQuantity.fromWireName(name);
            if (quantity != null) {
                values.put(quantity, Long.parseLong(value));
            }
        });
        return new UsageCounts(values);
    }

    @Override
    public void close() {
        link.close();
    }
}
