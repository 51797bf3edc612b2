package io.herald.core.app.redis;

import io.herald.core.app.App;
import io.herald.core.app.AppChanges;
import io.herald.core.app.AppConflictException;
import io.herald.core.app.AppFeatures;
import io.herald.core.app.AppJson;
import io.herald.core.app.AppLimits;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.Webhook;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.redis.RedisTarget;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The app registry in the state Redis ({@code herald.redis.state}), shared by every service of a
 * cluster.
 *
 * <p>Layout, under the key prefix {@code p}: a hash {@code p + "app:" + id} per app (fields
 * {@code id, key, secret, name, enabled, limits, features, webhooks} — the last three as JSON,
 * see {@link AppJson} — {@code previous-secret, previous-secret-valid-until, version}); a string
 * {@code p + "app-key:" + key} holding the id (the key index); a set {@code p + "apps"} of ids.
 * Every write is one Lua script that checks, writes and then {@code PUBLISH}es the app id on
 * {@code p + "app-changes"}, so a write and its announcement are atomic, and an announcement is
 * only ever seen after the write. Updates compare the {@code version} field and retry on a
 * concurrent write (optimistic locking).
 *
 * <p>{@link #changes()} are those announcements, from every process writing to the same Redis,
 * received on a dedicated pub/sub connection and buffered per subscriber as {@link AppChanges}
 * says (bounded; the oldest dropped). When that connection comes back after an outage,
 * announcements may have been missed, and {@link AppChanges#RESYNC} is emitted.
 *
 * <p>Failure: the connections ({@link RedisConnections}) are made when the store is built (a
 * state Redis that is down at start fails the start, with the URI without password in the
 * message); later outages make commands fail at once (not queue) with a
 * {@link io.herald.core.redis.RedisUnavailableException} while Lettuce reconnects with capped
 * backoff. Never blocks after construction: all operations are Lettuce's reactive commands.
 */
public final class RedisAppStore implements AppRegistry, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisAppStore.class);

    /** Attempts of an update racing with other writers before it gives up. */
    private static final int MAX_UPDATE_ATTEMPTS = 32;

    /** How many app hashes {@link #list()} reads at once. */
    private static final int LIST_CONCURRENCY = 32;

    private static final String CREATE = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 'id' end
            if redis.call('EXISTS', KEYS[2]) == 1 then return 'key' end
            redis.call('HSET', KEYS[1], unpack(ARGV, 3))
            redis.call('HSET', KEYS[1], 'version', '1')
            redis.call('SET', KEYS[2], ARGV[1])
            redis.call('SADD', KEYS[3], ARGV[1])
            redis.call('PUBLISH', ARGV[2], ARGV[1])
            return 'ok'
            """;

    private static final String UPDATE = """
            local v = redis.call('HGET', KEYS[1], 'version')
            if not v then return 'missing' end
            if v ~= ARGV[1] then return 'conflict' end
            redis.call('HSET', KEYS[1], unpack(ARGV, 4))
            redis.call('HSET', KEYS[1], 'version', tostring(tonumber(v) + 1))
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return 'ok'
            """;

    private static final String DELETE = """
            local key = redis.call('HGET', KEYS[1], 'key')
            if not key then return 'missing' end
            redis.call('DEL', KEYS[1])
            if redis.call('GET', ARGV[1] .. key) == ARGV[3] then redis.call('DEL', ARGV[1] .. key) end
            redis.call('SREM', KEYS[2], ARGV[3])
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return 'ok'
            """;

    private final String prefix;
    private final String changesChannel;
    private final RedisLink<StatefulRedisConnection<String, String>> commands;
    private final RedisLink<StatefulRedisPubSubConnection<String, String>> pubSub;
    private final AppChanges changes = new AppChanges("Redis");

    /** Connects to the state Redis of {@code connections}; fails when it cannot. */
    public RedisAppStore(RedisConnections connections) {
        Objects.requireNonNull(connections, "connections");
        RedisTarget state = connections.state();
        this.prefix = connections.keyPrefix();
        this.changesChannel = prefix + "app-changes";
        AtomicBoolean subscribedOnce = new AtomicBoolean();
        RedisPubSubAdapter<String, String> listener = new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (changesChannel.equals(channel)) {
                    changes.emit(message);
                }
            }

            @Override
            public void subscribed(String channel, long count) {
                // Lettuce resubscribes after a reconnection; what was published meanwhile is lost.
                if (changesChannel.equals(channel) && !subscribedOnce.compareAndSet(false, true)) {
                    log.info("Resubscribed to app changes on the state Redis; announcing a resync");
                    changes.emit(AppChanges.RESYNC);
                }
            }
        };
        this.commands = connections.connectState("app store",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
        this.pubSub = connections.connectState("app change announcements",
                (client, uri) -> client.connectPubSubAsync(StringCodec.UTF8, uri), c -> c.addListener(listener));
        long wait = connections.properties().connectTimeout().toMillis()
                + connections.properties().commandTimeout().toMillis();
        try {
            // At start, on the thread that builds the store: waiting here is what "fail the start" means.
            commands.await().toFuture().get(wait, TimeUnit.MILLISECONDS);
            pubSub.await().toFuture().get(wait, TimeUnit.MILLISECONDS)
                    .async().subscribe(changesChannel).get(wait, TimeUnit.MILLISECONDS);
        }
        catch (Exception ex) {
            shutdown();
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = ex instanceof java.util.concurrent.ExecutionException && ex.getCause() != null
                    ? ex.getCause() : ex;
            throw new IllegalStateException("Cannot reach the state Redis at " + state + ": " + cause, cause);
        }
    }

    private <T> Mono<T> redis(Function<RedisReactiveCommands<String, String>, Mono<T>> command) {
        return commands.run(connection -> command.apply(connection.reactive()));
    }

    private <T> Flux<T> redisMany(Function<RedisReactiveCommands<String, String>, Flux<T>> command) {
        return commands.runMany(connection -> command.apply(connection.reactive()));
    }

    /**
     * Writes the apps that do not exist yet (by id); existing ones, possibly changed through the
     * admin API since, are kept as they are. An app whose key another app already uses is skipped
     * with a warning.
     *
     * @return how many apps were written
     */
    public Mono<Integer> seed(Collection<App> apps) {
        return Flux.fromIterable(apps)
                .concatMap(app -> runCreate(app).map(result -> {
                    switch (result) {
                        case "ok" -> {
                            log.info("Seeded app {} from configuration into the state Redis", app.id());
                            return 1;
                        }
                        case "key" -> log.warn("Configured app {} not seeded: another app has its key {}", app.id(),
                                app.key());
                        default -> log.debug("Configured app {} exists in the state Redis; kept as stored", app.id());
                    }
                    return 0;
                }))
                .reduce(0, Integer::sum);
    }

    @Override
    public Mono<App> findById(String appId) {
        return read(appId).map(Versioned::app);
    }

    @Override
    public Mono<App> findByKey(String key) {
        return redis(r -> r.get(keyIndex(key))).flatMap(this::findById).filter(app -> app.key().equals(key));
    }

    @Override
    public Flux<String> changes() {
        return changes.flux();
    }

    @Override
    public Mono<App> create(App app) {
        Objects.requireNonNull(app, "app");
        return runCreate(app).map(result -> switch (result) {
            case "ok" -> app;
            case "id" -> throw new AppConflictException("An app with id " + app.id() + " exists");
            case "key" -> throw new AppConflictException("An app with key " + app.key() + " exists");
            default -> throw new IllegalStateException("Unexpected answer from Redis: " + result);
        });
    }

    private Mono<String> runCreate(App app) {
        List<String> args = new ArrayList<>(List.of(app.id(), changesChannel));
        args.addAll(fields(app));
        return redis(r -> r.<String>eval(CREATE, ScriptOutputType.VALUE,
                new String[] { appKey(app.id()), keyIndex(app.key()), prefix + "apps" }, args.toArray(String[]::new))
                .next());
    }

    @Override
    public Mono<App> update(String appId, UnaryOperator<App> change) {
        return update(appId, change, 1);
    }

    private Mono<App> update(String appId, UnaryOperator<App> change, int attempt) {
        return read(appId).flatMap(current -> {
            App updated = AppRegistry.checkedUpdate(current.app(), change.apply(current.app()));
            List<String> args = new ArrayList<>(List.of(current.version(), changesChannel, appId));
            args.addAll(fields(updated));
            return redis(r -> r.<String>eval(UPDATE, ScriptOutputType.VALUE, new String[] { appKey(appId) },
                    args.toArray(String[]::new)).next()).flatMap(result -> switch (result) {
                        case "ok" -> Mono.just(updated);
                        case "missing" -> Mono.empty();
                        case "conflict" -> attempt < MAX_UPDATE_ATTEMPTS
                                ? Mono.defer(() -> update(appId, change, attempt + 1))
                                : Mono.error(new IllegalStateException("App " + appId + " is being changed by "
                                        + "others too often; try again"));
                        default -> Mono.error(new IllegalStateException("Unexpected answer from Redis: " + result));
                    });
        });
    }

    @Override
    public Mono<Boolean> delete(String appId) {
        return redis(r -> r.<String>eval(DELETE, ScriptOutputType.VALUE,
                new String[] { appKey(appId), prefix + "apps" }, prefix + "app-key:", changesChannel, appId).next())
                .map("ok"::equals);
    }

    @Override
    public Flux<App> list() {
        return redisMany(r -> r.smembers(prefix + "apps"))
                .flatMap(this::findById, LIST_CONCURRENCY)
                .sort(Comparator.comparing(App::id));
    }

    private Mono<Versioned> read(String appId) {
        if (appId == null) {
            return Mono.empty();
        }
        return redisMany(r -> r.hgetall(appKey(appId)))
                .filter(KeyValue::hasValue)
                .collectMap(KeyValue::getKey, KeyValue::getValue)
                .flatMap(hash -> hash.isEmpty() ? Mono.empty() : Mono.just(decode(appId, hash)));
    }

    private String appKey(String appId) {
        return prefix + "app:" + appId;
    }

    private String keyIndex(String key) {
        return prefix + "app-key:" + key;
    }

    /** The hash fields of an app (without version), as field, value pairs. */
    static List<String> fields(App app) {
        boolean previous = app.previousSecret() != null && app.previousSecretValidUntil() != null;
        return List.of(
                "id", app.id(),
                "key", app.key(),
                "secret", app.secret(),
                "name", app.name(),
                "enabled", String.valueOf(app.enabled()),
                "limits", AppJson.limitsToJson(app.limits()).toString(),
                "features", AppJson.featuresToJson(app.features()).toString(),
                "webhooks", AppJson.webhooksToJson(app.webhooks()).toString(),
                "previous-secret", previous ? app.previousSecret() : "",
                "previous-secret-valid-until", previous ? app.previousSecretValidUntil().toString() : "");
    }

    static Versioned decode(String appId, Map<String, String> hash) {
        List<String> problems = new ArrayList<>();
        AppLimits limits = AppJson.limitsFromJson(PusherCodec.json().readTree(hash.getOrDefault("limits", "{}")),
                AppLimits.DEFAULTS, "limits", problems);
        AppFeatures features = AppJson.featuresFromJson(
                PusherCodec.json().readTree(hash.getOrDefault("features", "{}")), AppFeatures.DEFAULTS, "features",
                problems);
        List<Webhook> webhooks = AppJson.webhooksFromJson(
                PusherCodec.json().readTree(hash.getOrDefault("webhooks", "[]")), "webhooks", problems);
        if (!problems.isEmpty() || hash.get("key") == null || hash.get("secret") == null) {
            // Never the hash itself in the message: it holds the secret.
            throw new IllegalStateException("App " + appId + " in the state Redis is malformed: "
                    + (problems.isEmpty() ? "key or secret missing" : String.join("; ", problems)));
        }
        String previous = hash.getOrDefault("previous-secret", "");
        String until = hash.getOrDefault("previous-secret-valid-until", "");
        Instant validUntil = until.isEmpty() ? null : Instant.parse(until);
        App app = new App(appId, hash.get("key"), hash.get("secret"), hash.get("name"),
                Boolean.parseBoolean(hash.getOrDefault("enabled", "true")), limits, features, webhooks,
                previous.isEmpty() ? null : previous, validUntil);
        return new Versioned(app, hash.getOrDefault("version", "0"));
    }

    record Versioned(App app, String version) {
    }

    @Override
    public void close() {
        changes.complete();
        shutdown();
    }

    /** Closes this store's connections; the shared client and resources stay. */
    private void shutdown() {
        commands.close();
        pubSub.close();
    }
}
