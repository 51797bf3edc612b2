package io.herald.core.tenant.redis;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.state.redis.LuaScript;
import io.herald.core.tenant.Tenant;
import io.herald.core.tenant.TenantConflictException;
import io.herald.core.tenant.TenantStore;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The tenants in the state Redis ({@code herald.redis.state}), shared by auth-service (which
 * writes them through the admin API) and every metrics-service replica (which signs users in).
 *
 * <p>Layout, under the key prefix {@code p}: a hash {@code p + "tenant:" + id} (field {@code name}),
 * a hash {@code p + "tenant-users:" + id} (username → password hash), a set
 * {@code p + "tenant-apps:" + id} (the app ids it owns), the indexes {@code p + "tenant-user:" +
 * username} and {@code p + "tenant-app:" + appId} (each holding the tenant id), and a set
 * {@code p + "tenants"} of ids. Every write is one Lua script that checks the uniqueness rules and
 * writes (so two admins racing for one username or app cannot both win); every read of a tenant is
 * one script too (a consistent view).
 *
 * <p>No cache: each lookup is one round trip, so a change is seen at once everywhere. Loss (a
 * state Redis restarted without persistence, or flushed) loses the tenants and their users: every
 * sign-in then fails and signed-in users see nothing (fail closed) until they are created again
 * (through the admin API, or {@code herald.tenants} at the next start). See {@code docs/faults.md}.
 *
 * <p>The connection is made in the background ({@link RedisConnections#connectState}); while the
 * state Redis is unreachable every call fails with a
 * {@link io.herald.core.redis.RedisUnavailableException}. Never blocks.
 */
public final class RedisTenantStore implements TenantStore, AutoCloseable {

    private static final LuaScript READ = new LuaScript("""
            local name = redis.call('HGET', KEYS[1], 'name')
            if not name then return {} end
            local out = {name}
            local users = redis.call('HGETALL', KEYS[2])
            table.insert(out, tostring(#users))
            for i = 1, #users do table.insert(out, users[i]) end
            local apps = redis.call('SMEMBERS', KEYS[3])
            for i = 1, #apps do table.insert(out, apps[i]) end
            return out
            """);

    private static final LuaScript CREATE = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 1 then return {'conflict'} end
            redis.call('HSET', KEYS[1], 'name', ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[1])
            return {'ok'}
            """);

    private static final LuaScript DELETE = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
            for _, u in ipairs(redis.call('HKEYS', KEYS[2])) do
              if redis.call('GET', ARGV[2] .. u) == ARGV[1] then redis.call('DEL', ARGV[2] .. u) end
            end
            for _, a in ipairs(redis.call('SMEMBERS', KEYS[3])) do
              if redis.call('GET', ARGV[3] .. a) == ARGV[1] then redis.call('DEL', ARGV[3] .. a) end
            end
            redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
            redis.call('SREM', KEYS[4], ARGV[1])
            return {'ok'}
            """);

    private static final LuaScript RENAME = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
            redis.call('HSET', KEYS[1], 'name', ARGV[1])
            return {'ok'}
            """);

    private static final LuaScript ADD_USER = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
            if not redis.call('SET', KEYS[3], ARGV[1], 'NX') then return {'conflict'} end
            redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
            return {'ok'}
            """);

    private static final LuaScript SET_PASSWORD = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
            if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {'missing'} end
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            return {'ok'}
            """);

    private static final LuaScript REMOVE_USER = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
            if redis.call('HDEL', KEYS[2], ARGV[2]) == 0 then return {'missing'} end
            if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
            return {'ok'}
            """);

    private static final LuaScript ASSIGN = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
            local owner = redis.call('GET', KEYS[3])
            if owner and owner ~= ARGV[1] then return {'conflict'} end
            redis.call('SET', KEYS[3], ARGV[1])
            redis.call('SADD', KEYS[2], ARGV[2])
            return {'ok'}
            """);

    private static final LuaScript UNASSIGN = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
            redis.call('SREM', KEYS[2], ARGV[2])
            if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
            return {'ok'}
            """);

    private final String prefix;
    private final RedisLink<StatefulRedisConnection<String, String>> link;

    /** Connects to the state Redis of {@code connections} in the background. */
    public RedisTenantStore(RedisConnections connections) {
        Objects.requireNonNull(connections, "connections");
        this.prefix = connections.keyPrefix();
        this.link = connections.connectState("tenant store",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
    }

    private String tenantKey(String id) {
        return prefix + "tenant:" + id;
    }

    private String usersKey(String id) {
        return prefix + "tenant-users:" + id;
    }

    private String appsKey(String id) {
        return prefix + "tenant-apps:" + id;
    }

    private String userIndex() {
        return prefix + "tenant-user:";
    }

    private String appIndex() {
        return prefix + "tenant-app:";
    }

    private Mono<String> run(LuaScript script, String[] keys, String... args) {
        return link.awaitAndRun(c -> script.run(c.reactive(), keys, args))
                .map(reply -> reply.isEmpty() ? "" : String.valueOf(reply.get(0)));
    }

    @Override
    public Mono<Tenant> create(String id, String name) {
        Tenant tenant = Tenant.of(id, name);
        return run(CREATE, new String[] { tenantKey(id), prefix + "tenants" }, id, tenant.name())
                .flatMap(outcome -> {
                    if ("conflict".equals(outcome)) {
                        return Mono.error(new TenantConflictException("A tenant with id " + id + " exists"));
                    }
                    return findById(id);
                });
    }

    @Override
    public Mono<Tenant> findById(String id) {
        if (!io.herald.core.names.Names.isValidAppId(id)) {
            return Mono.empty();
        }
        return link.awaitAndRun(c -> READ.run(c.reactive(),
                new String[] { tenantKey(id), usersKey(id), appsKey(id) }, new String[0]))
                .flatMap(reply -> {
                    if (reply.isEmpty()) {
                        return Mono.empty();
                    }
                    String name = String.valueOf(reply.get(0));
                    int userFields = Integer.parseInt(String.valueOf(reply.get(1)));
                    Map<String, String> users = new LinkedHashMap<>();
                    for (int i = 2; i < 2 + userFields; i += 2) {
                        users.put(String.valueOf(reply.get(i)), String.valueOf(reply.get(i + 1)));
                    }
                    Set<String> apps = new HashSet<>();
                    for (int i = 2 + userFields; i < reply.size(); i++) {
                        apps.add(String.valueOf(reply.get(i)));
                    }
                    return Mono.just(new Tenant(id, name, apps, users));
                });
    }

    @Override
    public Mono<Tenant> findByUsername(String username) {
        if (!Tenant.isValidUsername(username)) {
            return Mono.empty();
        }
        String user = Tenant.normalize(username);
        return link.awaitAndRun(c -> c.reactive().get(userIndex() + user))
                .flatMap(this::findById)
                .filter(tenant -> tenant.users().containsKey(user));
    }

    @Override
    public Mono<Tenant> findByApp(String appId) {
        return link.awaitAndRun(c -> c.reactive().get(appIndex() + appId))
                .flatMap(this::findById)
                .filter(tenant -> tenant.owns(appId));
    }

    @Override
    public Flux<Tenant> list() {
        return link.awaitAndRunMany(c -> c.reactive().smembers(prefix + "tenants"))
                .sort()
                .concatMap(this::findById);
    }

    @Override
    public Mono<Boolean> delete(String id) {
        return run(DELETE, new String[] { tenantKey(id), usersKey(id), appsKey(id), prefix + "tenants" }, id,
                userIndex(), appIndex())
                .map("ok"::equals);
    }

    @Override
    public Mono<Tenant> rename(String id, String name) {
        String newName = Tenant.of(id, name).name();
        return run(RENAME, new String[] { tenantKey(id) }, newName).flatMap(outcome -> then(outcome, id, null));
    }

    @Override
    public Mono<Tenant> addUser(String tenantId, String username, String passwordHash) {
        String user = Tenant.normalize(username);
        Objects.requireNonNull(passwordHash, "passwordHash");
        return run(ADD_USER, new String[] { tenantKey(tenantId), usersKey(tenantId), userIndex() + user }, tenantId,
                user, passwordHash)
                .flatMap(outcome -> then(outcome, tenantId, "The username " + user + " is taken"));
    }

    @Override
    public Mono<Tenant> setPassword(String tenantId, String username, String passwordHash) {
        String user = Tenant.normalize(username);
        Objects.requireNonNull(passwordHash, "passwordHash");
        return run(SET_PASSWORD, new String[] { tenantKey(tenantId), usersKey(tenantId) }, user, passwordHash)
                .flatMap(outcome -> then(outcome, tenantId, null));
    }

    @Override
    public Mono<Tenant> removeUser(String tenantId, String username) {
        String user = Tenant.normalize(username);
        return run(REMOVE_USER, new String[] { tenantKey(tenantId), usersKey(tenantId), userIndex() + user },
                tenantId, user)
                .flatMap(outcome -> then(outcome, tenantId, null));
    }

    @Override
    public Mono<Tenant> assignApp(String tenantId, String appId) {
        Objects.requireNonNull(appId, "appId");
        return run(ASSIGN, new String[] { tenantKey(tenantId), appsKey(tenantId), appIndex() + appId }, tenantId,
                appId)
                .flatMap(outcome -> then(outcome, tenantId, "The app " + appId + " is owned by another tenant"));
    }

    @Override
    public Mono<Tenant> unassignApp(String tenantId, String appId) {
        Objects.requireNonNull(appId, "appId");
        return run(UNASSIGN, new String[] { tenantKey(tenantId), appsKey(tenantId), appIndex() + appId }, tenantId,
                appId)
                .flatMap(outcome -> then(outcome, tenantId, null));
    }

    private Mono<Tenant> then(String outcome, String tenantId, String conflict) {
        return switch (outcome) {
            case "ok" -> findById(tenantId);
            case "conflict" -> Mono.error(new TenantConflictException(conflict));
            default -> Mono.empty();
        };
    }

    @Override
    public void close() {
        link.close();
    }
}
