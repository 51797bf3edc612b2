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
import io.herald.core.broker.MessageIds;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.redis.RedisTarget;
import io.herald.core.redis.RedisUnavailableException;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
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
 * <p>Loss of everything (a state Redis restarted without persistence, or flushed): {@link #seed}
 * writes an epoch marker {@code p + "apps-epoch"} (a random id, only if there is none) and
 * remembers it. {@link #watch} checks it every {@code herald.redis.apps.check-interval} and at
 * once when the pub/sub connection comes back; a marker that is gone (or changed: another
 * process found it gone first) means the store lost everything. Then the configured apps are
 * written again (as at first start), and {@code p + "apps-lost"} is set for
 * {@code herald.redis.apps.loss-grace}: while it exists, an app that is not found is <em>unknown
 * for now</em> — lookups error with {@link RedisUnavailableException} instead of completing empty,
 * so that caches serve their last known view and edges close nothing — unless it was deleted
 * through the admin API since (the delete script leaves a tombstone {@code p + "app-gone:" + id}
 * and {@code p + "app-gone-key:" + key} for the rest of that time). Apps created through the
 * admin API and not configured cannot be recovered: they must be created again (same id, key and
 * secret), which the warning logged on a loss says. A lookup that finds the marker gone before
 * the check does also errors (and starts the check).
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
            local grace = redis.call('PTTL', KEYS[3])
            if grace > 0 then
              redis.call('SET', ARGV[5] .. ARGV[3], '1', 'PX', grace)
              redis.call('SET', ARGV[4] .. key, '1', 'PX', grace)
            end
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return 'ok'
            """;

    /**
     * Marks a loss (a new epoch if there is none; the grace started by whoever sees it first) and
     * answers the current epoch. Run only by a process whose epoch is gone or changed.
     */
    private static final String LOST = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              redis.call('SET', KEYS[1], ARGV[1])
            end
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'NX')
            return redis.call('GET', KEYS[1])
            """;

    /** Why an app was not found: the epoch, whether a loss is recent, whether the app was deleted since. */
    private static final String MISSING = """
            local epoch = redis.call('GET', KEYS[1]) or ''
            return redis.call('EXISTS', KEYS[2]) .. redis.call('EXISTS', KEYS[3]) .. epoch
            """;

    private final String prefix;
    private final String changesChannel;
    private final RedisLink<StatefulRedisConnection<String, String>> commands;
    private final RedisLink<StatefulRedisPubSubConnection<String, String>> pubSub;
    private final AppChanges changes = new AppChanges("Redis");
    private final OwnEchoes ownEchoes = new OwnEchoes();
    private final String epochKey;
    private final String lostKey;
    /** The epoch this process last saw; null until {@link #seed}. */
    private volatile String knownEpoch;
    private volatile List<App> seedApps = List.of();
    private volatile Duration lossGrace = AppRecoveryProperties.DEFAULTS.lossGrace();
    private final AtomicBoolean watching = new AtomicBoolean();
    private final AtomicBoolean checking = new AtomicBoolean();
    private final Disposable.Swap watch = Disposables.swap();

    /** Connects to the state Redis of {@code connections}; fails when it cannot. */
    public RedisAppStore(RedisConnections connections) {
        Objects.requireNonNull(connections, "connections");
        RedisTarget state = connections.state();
        this.prefix = connections.keyPrefix();
        this.changesChannel = prefix + "app-changes";
        this.epochKey = prefix + "apps-epoch";
        this.lostKey = prefix + "apps-lost";
        AtomicBoolean subscribedOnce = new AtomicBoolean();
        RedisPubSubAdapter<String, String> listener = new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (changesChannel.equals(channel) && !ownEchoes.consume(message)) {
                    changes.emit(message);
                }
            }

            @Override
            public void subscribed(String channel, long count) {
                // Lettuce resubscribes after a reconnection; what was published meanwhile is lost.
                if (changesChannel.equals(channel) && !subscribedOnce.compareAndSet(false, true)) {
                    log.info("Resubscribed to app changes on the state Redis; announcing a resync");
                    changes.emit(AppChanges.RESYNC);
                    // A reconnection is when a restarted (perhaps emptied) state Redis shows up first.
                    checkSoon();
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
     * with a warning. Also writes the epoch marker if there is none, and remembers the apps and
     * the epoch for {@link #watch}.
     *
     * @return how many apps were written
     */
    public Mono<Integer> seed(Collection<App> apps) {
        List<App> copy = List.copyOf(apps);
        return redis(r -> r.set(epochKey, MessageIds.next(), SetArgs.Builder.nx())
                .then(r.get(epochKey)))
                .doOnNext(epoch -> {
                    seedApps = copy;
                    knownEpoch = epoch;
                })
                .then(writeSeed(copy));
    }

    /**
     * Checks every {@code interval} (and after every reconnection) whether the state Redis lost
     * everything since {@link #seed}, and if so writes the seeded apps again and treats missing
     * apps as unknown for now for {@code lossGrace} (see the class comment). Stops on {@link #close}.
     */
    public void watch(Duration interval, Duration lossGrace) {
        Objects.requireNonNull(interval, "interval");
        this.lossGrace = Objects.requireNonNull(lossGrace, "lossGrace");
        watching.set(true);
        watch.update(Flux.interval(interval, interval)
                .onBackpressureDrop()
                .subscribe(tick -> checkSoon()));
    }

    /** Runs {@link #check()} unless one is running or nothing is watched; failures are for the next check. */
    private void checkSoon() {
        if (!watching.get() || !checking.compareAndSet(false, true)) {
            return;
        }
        check().doFinally(signal -> checking.set(false)).subscribe(null,
                ex -> log.debug("Checking the state Redis for lost apps failed: {}", ex.toString()));
    }

    /**
     * Whether the state Redis lost everything since this process last saw it, and if so the
     * recovery: the loss marked, the seeded apps written again.
     *
     * @return whether a loss was found
     */
    Mono<Boolean> check() {
        String known = knownEpoch;
        if (known == null) {
            return Mono.just(false);
        }
        return redis(r -> r.get(epochKey)).defaultIfEmpty("").flatMap(epoch -> {
            if (epoch.equals(known)) {
                return Mono.just(false);
            }
            return redis(r -> r.<String>eval(LOST, ScriptOutputType.VALUE, new String[] { epochKey, lostKey },
                    // On a Redis I/O thread: MessageIds never blocks, UUID.randomUUID (SecureRandom) may.
                    MessageIds.next(), Instant.now().toString(), String.valueOf(lossGrace.toMillis()))
                    .next())
                    .flatMap(current -> {
                        knownEpoch = current;
                        List<App> apps = seedApps;
                        log.warn("The state Redis lost its apps (restarted empty or flushed): writing the {} apps "
                                + "of herald.apps again. Apps created through the admin API are gone and must be "
                                + "created again; for {} a missing app counts as unknown for now, not as deleted, "
                                + "so no connection is closed. Run the state Redis with persistence "
                                + "(appendonly yes).", apps.size(), lossGrace);
                        return writeSeed(apps).thenReturn(true);
                    });
        });
    }

    private Mono<Integer> writeSeed(List<App> apps) {
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
        if (appId == null) {
            return Mono.empty();
        }
        return read(appId).map(Versioned::app)
                .switchIfEmpty(Mono.defer(() -> missing(prefix + "app-gone:" + appId, "app " + appId)));
    }

    @Override
    public Mono<App> findByKey(String key) {
        if (key == null) {
            return Mono.empty();
        }
        return redis(r -> r.get(keyIndex(key))).flatMap(id -> read(id).map(Versioned::app))
                .filter(app -> app.key().equals(key))
                .switchIfEmpty(Mono.defer(() -> missing(prefix + "app-gone-key:" + key, "an app key")));
    }

    /**
     * An app was not found: empty ("no such app"), or an error when that may be because the
     * state Redis lost everything (see the class comment).
     */
    private Mono<App> missing(String tombstone, String what) {
        // The answer: '1' or '0' (a loss is recent), '1' or '0' (deleted since), then the epoch.
        return redis(r -> r.<String>eval(MISSING, ScriptOutputType.VALUE,
                new String[] { epochKey, lostKey, tombstone }).next())
                .flatMap(answer -> {
                    boolean lost = answer.charAt(0) == '1';
                    boolean deleted = answer.charAt(1) == '1';
                    String epoch = answer.substring(2);
                    String known = knownEpoch;
                    if (known != null && !known.equals(epoch)) {
                        checkSoon();
                        return Mono.error(new RedisUnavailableException("The state Redis lost its apps; "
                                + what + " is unknown until they are written again", null));
                    }
                    if (lost && !deleted) {
                        return Mono.error(new RedisUnavailableException("The state Redis lost its apps recently; "
                                + what + " is unknown for now (create it again if it was made through the admin API)",
                                null));
                    }
                    return Mono.empty();
                });
    }

    @Override
    public Flux<String> changes() {
        return changes.flux();
    }

    @Override
    public Mono<App> create(App app) {
        Objects.requireNonNull(app, "app");
        return ownEchoes.around(app.id(), runCreate(app)).map(result -> switch (result) {
            case "ok" -> announcedHere(app.id(), app);
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
            return ownEchoes.around(appId, redis(r -> r.<String>eval(UPDATE, ScriptOutputType.VALUE,
                    new String[] { appKey(appId) }, args.toArray(String[]::new)).next())).flatMap(result -> switch (result) {
                        case "ok" -> Mono.just(announcedHere(appId, updated));
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
        return ownEchoes.around(appId, redis(r -> r.<String>eval(DELETE, ScriptOutputType.VALUE,
                new String[] { appKey(appId), prefix + "apps", lostKey }, prefix + "app-key:", changesChannel, appId,
                prefix + "app-gone-key:", prefix + "app-gone:").next()))
                .map("ok"::equals)
                .doOnNext(deleted -> {
                    if (deleted) {
                        announcedHere(appId, null);
                    }
                });
    }

    /**
     * Announces a write of this process to this process's subscribers at once, before the caller
     * hears it succeeded, so that this process reads its own writes: a secret rotated with no grace
     * stops at once here (the admin API's promise), without waiting for the announcement's round
     * trip through Redis pub/sub, which is how other processes hear of it. The pub/sub copy of it
     * is then skipped here ({@link OwnEchoes}), so each write is announced once.
     */
    private <T> T announcedHere(String appId, T result) {
        changes.emit(appId);
        return result;
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
        watch.dispose();
        changes.complete();
        shutdown();
    }

    /** Closes this store's connections; the shared client and resources stay. */
    private void shutdown() {
        commands.close();
        pubSub.close();
    }

    /**
     * The pub/sub copies of this process's own writes, to skip: a write counts one expected echo
     * from before it is sent (the copy may arrive before the write's own reply) until its reply,
     * and gives it back if the write announced nothing ("missing", "conflict", an error: a write
     * whose outcome is unknown then lets its copy through, which only announces it twice, never
     * swallows another process's announcement for long).
     */
    private static final class OwnEchoes {

        private final Map<String, AtomicInteger> expected = new ConcurrentHashMap<>();

        <T> Mono<T> around(String appId, Mono<T> write) {
            return Mono.defer(() -> {
                expected.computeIfAbsent(appId, id -> new AtomicInteger()).incrementAndGet();
                return write.doOnNext(result -> {
                    if (!"ok".equals(result)) {
                        consume(appId);
                    }
                }).doOnError(ex -> consume(appId));
            });
        }

        /** Whether {@code appId}'s announcement is the echo of one of this process's writes (then counted off). */
        boolean consume(String appId) {
            AtomicInteger count = expected.get(appId);
            if (count == null) {
                return false;
            }
            int left = count.getAndUpdate(n -> n > 0 ? n - 1 : 0);
            if (left <= 1) {
                expected.remove(appId, count);
            }
            return left > 0;
        }
    }
}
