package io.herald.metrics.security.redis;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.state.redis.LuaScript;
import io.herald.metrics.security.LoginThrottle;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * {@link LoginThrottle} on the state Redis, shared by every metrics-service replica: a counter
 * {@code p + "login-failures:" + key} per username digest and per address, made with the window as
 * its TTL at the first failure (a fixed window); one Lua script per decision and per failure.
 */
public final class RedisLoginThrottle implements LoginThrottle, AutoCloseable {

    /** The longest TTL among the keys at or over their limit, in ms; 0 when none is. */
    private static final LuaScript REFUSED = new LuaScript("""
            local wait = 0
            for i = 1, 2 do
              local n = tonumber(redis.call('GET', KEYS[i]) or '0')
              if n >= tonumber(ARGV[i]) then
                local ttl = redis.call('PTTL', KEYS[i])
                if ttl > wait then wait = ttl end
              end
            end
            return {wait}
            """);

    private static final LuaScript FAILED = new LuaScript("""
            for i = 1, 2 do
              if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
            end
            return {'ok'}
            """);

    private final String prefix;
    private final int maxPerUser;
    private final int maxPerAddress;
    private final Duration window;
    private final RedisLink<StatefulRedisConnection<String, String>> link;

    public RedisLoginThrottle(RedisConnections connections, int maxPerUser, int maxPerAddress, Duration window) {
        Objects.requireNonNull(connections, "connections");
        this.prefix = connections.keyPrefix() + "login-failures:";
        this.maxPerUser = maxPerUser;
        this.maxPerAddress = maxPerAddress;
        this.window = Objects.requireNonNull(window, "window");
        this.link = connections.connectState("login throttle",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
    }

    private String[] keys(String username, String address) {
        return new String[] { prefix + LoginThrottle.userKey(username), prefix + LoginThrottle.addressKey(address) };
    }

    @Override
    public Mono<Duration> refusedFor(String username, String address) {
        return link.awaitAndRun(c -> REFUSED.run(c.reactive(), keys(username, address),
                        String.valueOf(maxPerUser), String.valueOf(maxPerAddress)))
                .map(reply -> Duration.ofMillis(Math.max(0, ((Number) reply.get(0)).longValue())));
    }

    @Override
    public Mono<Void> failed(String username, String address) {
        return link.awaitAndRun(c -> FAILED.run(c.reactive(), keys(username, address),
                String.valueOf(window.toMillis()))).then();
    }

    @Override
    public Mono<Void> succeeded(String username) {
        return link.awaitAndRun(c -> c.reactive().del(prefix + LoginThrottle.userKey(username))).then();
    }

    @Override
    public void close() {
        link.close();
    }
}
