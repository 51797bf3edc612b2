package io.herald.core.ratelimit.redis;

import io.herald.core.ratelimit.ConnectionQuota;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.state.redis.LuaScript;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@link ConnectionQuota} on the state Redis: per app the hash
 * {@code p + "quota:{" + app + "}:connections"} with one field per node, {@code "count|expires"}
 * (expiry in epoch milliseconds). Opening sums the fields that have not expired (removing the
 * others) and takes a slot in one Lua script; this node's own count is kept here too and is the
 * authority {@link #refresh} writes back. The hash itself expires with its last field, so an app
 * nobody is connected to costs nothing.
 */
public final class RedisConnectionQuota implements ConnectionQuota, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisConnectionQuota.class);

    /** KEYS[1] the app's hash; ARGV: node, now (ms), ttl (ms), limit. Answers 1 (taken) or 0. */
    static final String OPEN = """
            local now = tonumber(ARGV[2])
            local total = 0
            local mine = 0
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local sep = string.find(all[i + 1], '|', 1, true)
              local c = tonumber(string.sub(all[i + 1], 1, sep - 1))
              local exp = tonumber(string.sub(all[i + 1], sep + 1))
              if exp < now then
                redis.call('HDEL', KEYS[1], all[i])
              else
                total = total + c
                if all[i] == ARGV[1] then mine = c end
              end
            end
            if total >= tonumber(ARGV[4]) then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], (mine + 1) .. '|' .. (now + tonumber(ARGV[3])))
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """;

    /** KEYS[1] the app's hash; ARGV: node, count, now (ms), ttl (ms): this node's count, rewritten. */
    static final String SET = """
            if tonumber(ARGV[2]) <= 0 then
              redis.call('HDEL', KEYS[1], ARGV[1])
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. (tonumber(ARGV[3]) + tonumber(ARGV[4])))
            if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
            return 1
            """;

    private static final LuaScript OPEN_SCRIPT = new LuaScript(OPEN);
    private static final LuaScript SET_SCRIPT = new LuaScript(SET);

    private final RedisLink<StatefulRedisConnection<String, String>> link;
    private final String prefix;
    private final String node;
    private final Clock clock;
    private final Duration ttl;
    private final int nodes;
    /** This node's slots per app: the authority for its entries. */
    private final Map<String, Integer> mine = new ConcurrentHashMap<>();
    private final AtomicBoolean degraded = new AtomicBoolean();

    /**
     * @param node this node's id (its entry's field)
     * @param ttl how long an entry counts without a refresh (a dead node's connections are released after it)
     * @param nodes how many nodes share the quota while the state Redis cannot be reached
     */
    public RedisConnectionQuota(RedisConnections connections, String node, Clock clock, Duration ttl, int nodes) {
        Objects.requireNonNull(connections, "connections");
        this.node = Objects.requireNonNull(node, "node");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        if (ttl.toMillis() < 1 || nodes < 1) {
            throw new IllegalArgumentException("ttl and nodes must be positive");
        }
        this.nodes = nodes;
        this.prefix = connections.keyPrefix();
        this.link = connections.connectState("connection quota",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
    }

    /** The app's hash (for tests and operators). */
    public String key(String appId) {
        return prefix + "quota:{" + appId + "}:connections";
    }

    @Override
    public Mono<Boolean> open(String appId, int limit) {
        Objects.requireNonNull(appId, "appId");
        return link.awaitAndRun(c -> OPEN_SCRIPT.run(c.reactive(), new String[] {key(appId)}, node,
                        Long.toString(clock.millis()), Long.toString(ttl.toMillis()), Integer.toString(limit)))
                .map(reply -> ((Number) reply.get(0)).longValue() == 1)
                .doOnNext(taken -> {
                    if (degraded.compareAndSet(true, false)) {
                        log.info("The state Redis answers again; the connection quota is cluster-wide again");
                    }
                })
                .onErrorResume(ex -> {
                    if (degraded.compareAndSet(false, true)) {
                        log.warn("The connection quota cannot reach the state Redis ({}); each node now admits its "
                                + "local share (limit / {})", ex.toString(), nodes);
                    }
                    return Mono.just(mine.getOrDefault(appId, 0) < Math.max(1, limit / nodes));
                })
                .doOnNext(taken -> {
                    if (taken) {
                        mine.merge(appId, 1, Integer::sum);
                    }
                });
    }

    @Override
    public void close(String appId) {
        Integer left = mine.computeIfPresent(appId, (id, count) -> count <= 1 ? null : count - 1);
        write(appId, left == null ? 0 : left).subscribe();
    }

    private Mono<Void> write(String appId, int count) {
        return link.run(c -> SET_SCRIPT.run(c.reactive(), new String[] {key(appId)}, node, Integer.toString(count),
                        Long.toString(clock.millis()), Long.toString(ttl.toMillis())))
                .then()
                // The next refresh writes it again.
                .onErrorResume(ex -> Mono.empty());
    }

    @Override
    public Mono<Void> refresh() {
        return Flux.fromIterable(Map.copyOf(mine).entrySet())
                .flatMap(entry -> write(entry.getKey(), entry.getValue()), 16)
                .then();
    }

    /** Whether the last decision could not reach the state Redis. */
    public boolean degraded() {
        return degraded.get();
    }

    @Override
    public void close() {
        link.close();
    }
}
