package io.herald.core.debug.redis;

import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugEvent;
import io.herald.core.debug.DebugEventJson;
import io.herald.core.debug.DebugNotice;
import io.herald.core.debug.LocalWatchers;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.state.redis.LuaScript;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The debug console of a cluster, on the state Redis: watchers are on metrics-service, events are
 * emitted by edges, publish nodes and webhook dispatchers.
 *
 * <p>Layout, under the key prefix {@code p}:
 * <ul>
 * <li>{@code p + "debug:watchers"}, a sorted set of {@code "<app id> <watching process>"}, scored
 * with the time (Redis's own clock, {@code TIME}, so no two hosts' clocks are compared) until
 * which that process watches the app. A watching process adds its member when its first local
 * watcher of the app starts, refreshes it every {@code refreshInterval} for {@code watchTtl}, and
 * removes it when the last one ends; a process that dies stops refreshing and its member lapses.
 * The key itself expires {@code watchTtl} after the last refresh: a cluster nobody watches has
 * nothing of the console in Redis.</li>
 * <li>{@code p + "debug:watches"}, a pub/sub channel on which a watching process announces each
 * change (the app id). Every process listens; on an announcement, on resubscription after a lost
 * connection, and every {@code refreshInterval} whatever happens, it reads the apps watched now
 * into a volatile immutable set, so a lost announcement or a restarted, emptied Redis heals by
 * itself within about two intervals.</li>
 * <li>{@code p + "debug:events:" + appId}, a pub/sub channel per app carrying {@link DebugEventJson}.
 * Emitters {@code PUBLISH} there only for apps in that set; the watching process subscribes
 * while it has a watcher of the app and hands each message to its {@link LocalWatchers}.</li>
 * </ul>
 *
 * <p>Bounds: at most {@code maxInFlight} publishes per process wait for Redis; beyond that, and
 * while the state Redis is down, an event is dropped and counted ({@link #droppedByEmitter()}).
 * Each watcher's buffer is bounded by {@link LocalWatchers}.
 */
public final class RedisDebugConsole implements DebugConsole, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisDebugConsole.class);

    /** Adds or refreshes a watching process's member; drops lapsed ones; keeps the key only while watched. */
    private static final LuaScript REGISTER = new LuaScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
            return 1
            """);

    /** The members that have not lapsed. */
    private static final LuaScript READ = new LuaScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
            """);

    private final String watchersKey;
    private final String announcements;
    private final String eventsPrefix;
    private final String processId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private final Duration watchTtl;
    private final int maxInFlight;
    private final LocalWatchers local;
    private final RedisLink<StatefulRedisConnection<String, String>> commands;
    private final RedisLink<StatefulRedisPubSubConnection<String, String>> pubSub;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong droppedByEmitter = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean readAgain = new AtomicBoolean();
    private final Disposable ticker;
    /** The apps somebody in the cluster watches now: the emitters' hot-path check. */
    private volatile Set<String> watched = Set.of();

    /**
     * @param watchTtl how long a watching process's registration lasts without a refresh
     * @param refreshInterval how often registrations are refreshed and the watched apps read again
     * @param bufferSize each local watcher's buffer
     * @param maxInFlight publishes of this process waiting for Redis at once
     */
    public RedisDebugConsole(RedisConnections connections, Duration watchTtl, Duration refreshInterval,
            int bufferSize, int maxInFlight, Clock clock, Scheduler scheduler) {
        Objects.requireNonNull(connections, "connections");
        this.watchTtl = Objects.requireNonNull(watchTtl, "watchTtl");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        if ((refreshInterval.isNegative() || refreshInterval.isZero()) || refreshInterval.compareTo(watchTtl) >= 0) {
            throw new IllegalArgumentException("refreshInterval must be positive and shorter than watchTtl");
        }
        if (maxInFlight <= 0) {
            throw new IllegalArgumentException("maxInFlight must be positive");
        }
        this.maxInFlight = maxInFlight;
        String prefix = connections.keyPrefix();
        this.watchersKey = prefix + "debug:watchers";
        this.announcements = prefix + "debug:watches";
        this.eventsPrefix = prefix + "debug:events:";
        this.local = new LocalWatchers(bufferSize, clock, this::started, this::stopped);
        RedisPubSubAdapter<String, String> listener = new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (announcements.equals(channel)) {
                    readSoon();
                }
                else if (channel.startsWith(eventsPrefix)) {
                    deliver(channel.substring(eventsPrefix.length()), message);
                }
            }

            @Override
            public void subscribed(String channel, long count) {
                // Also after Lettuce resubscribed on a new connection: announcements may have been missed.
                if (announcements.equals(channel)) {
                    readSoon();
                }
            }
        };
        this.commands = connections.connectState("debug console",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
        this.pubSub = connections.connectState("debug console announcements",
                (client, uri) -> client.connectPubSubAsync(StringCodec.UTF8, uri), c -> c.addListener(listener));
        pubSub.firstConnection().thenAccept(c -> c.async().subscribe(announcements));
        this.ticker = Flux.interval(Duration.ZERO, refreshInterval, scheduler)
                .onBackpressureDrop()
                .subscribe(tick -> tick());
    }

    @Override
    public boolean watched(String appId) {
        Set<String> now = watched;
        return !now.isEmpty() && now.contains(appId);
    }

    @Override
    public void emit(DebugEvent event) {
        if (!watched(event.appId())) {
            return;
        }
        StatefulRedisConnection<String, String> connection = commands.connection();
        if (connection == null || !connection.isOpen()) {
            droppedByEmitter.incrementAndGet();
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            droppedByEmitter.incrementAndGet();
            return;
        }
        String json = DebugEventJson.write(event);
        published.incrementAndGet();
        connection.async().publish(eventsPrefix + event.appId(), json).whenComplete((receivers, error) -> {
            inFlight.decrementAndGet();
            if (error != null) {
                droppedByEmitter.incrementAndGet();
            }
        });
    }

    @Override
    public Flux<DebugNotice> watch(String appId) {
        return local.watch(appId);
    }

    /** Events this process dropped instead of publishing (over its bound, or Redis down). */
    public long droppedByEmitter() {
        return droppedByEmitter.get();
    }

    /** Events this process handed to Redis ({@code PUBLISH}), for tests and diagnostics. */
    public long published() {
        return published.get();
    }

    /** The apps watched in the cluster as this process last read them. */
    public Set<String> watchedApps() {
        return watched;
    }

    private void deliver(String appId, String json) {
        if (!local.watched(appId)) {
            return;
        }
        try {
            local.deliver(DebugEventJson.read(appId, json));
        }
        catch (RuntimeException ex) {
            log.debug("Dropped a message on the debug channel of app {} that is not a debug event: {}", appId,
                    ex.toString());
        }
    }

    /** The first watcher of {@code appId} here: listen to its events, register, announce. */
    private void started(String appId) {
        subscribe(Set.of(appId))
                .then(register(appId))
                .then(announce(appId))
                .subscribe(null, ex -> log.debug("Could not start watching app {} yet (retried every refresh): {}",
                        appId, ex.toString()));
    }

    /** The last watcher of {@code appId} here is gone. */
    private void stopped(String appId) {
        pubSub.run(c -> c.reactive().unsubscribe(eventsPrefix + appId))
                .onErrorResume(ex -> Mono.empty())
                .then(commands.run(c -> c.reactive().zrem(watchersKey, member(appId))))
                .then(announce(appId))
                .subscribe(null, ex -> log.debug("Could not unregister the watch of app {} (it lapses): {}", appId,
                        ex.toString()));
    }

    private Mono<Void> subscribe(Set<String> apps) {
        String[] channels = apps.stream().map(id -> eventsPrefix + id).toArray(String[]::new);
        return pubSub.run(c -> c.reactive().subscribe(channels));
    }

    private Mono<Void> register(String appId) {
        return commands.run(c -> REGISTER.run(c.reactive(), new String[] { watchersKey }, member(appId),
                Long.toString(watchTtl.toMillis()))).then();
    }

    private Mono<Void> announce(String appId) {
        return commands.run(c -> c.reactive().publish(announcements, appId)).then();
    }

    private String member(String appId) {
        return appId + " " + processId;
    }

    /** Every refresh interval: renew this process's watches (and their subscriptions), then read the watched apps. */
    private void tick() {
        Set<String> mine = local.apps();
        Mono<Void> renew = mine.isEmpty() ? Mono.empty()
                : subscribe(mine).then(Flux.fromIterable(mine).concatMap(this::register).then());
        renew.onErrorResume(ex -> {
            log.debug("Could not renew the debug console's watches: {}", ex.toString());
            return Mono.empty();
        }).subscribe(null, null, this::readSoon);
    }

    /** Reads the watched apps, unless a read is running (then it runs once more after it). */
    private void readSoon() {
        readAgain.set(true);
        if (!reading.compareAndSet(false, true)) {
            return;
        }
        readAgain.set(false);
        commands.run(c -> READ.run(c.reactive(), new String[] { watchersKey }, new String[0]))
                .subscribe(members -> {
                    Set<String> apps = new HashSet<>();
                    for (Object member : members) {
                        String text = member.toString();
                        int space = text.indexOf(' ');
                        apps.add(space < 0 ? text : text.substring(0, space));
                    }
                    if (!apps.equals(watched)) {
                        log.debug("Apps watched in the debug console now: {}", apps);
                    }
                    watched = Set.copyOf(apps);
                }, ex -> {
                    // Keep what we knew: an outage must not start nor stop anything by itself.
                    log.debug("Could not read the watched apps: {}", ex.toString());
                    readDone();
                }, this::readDone);
    }

    private void readDone() {
        reading.set(false);
        if (readAgain.get()) {
            readSoon();
        }
    }

    @Override
    public void close() {
        ticker.dispose();
        Set<String> mine = local.apps();
        if (!mine.isEmpty()) {
            try {
                commands.run(c -> c.reactive().zrem(watchersKey, mine.stream().map(this::member).toArray(String[]::new)))
                        .block(Duration.ofSeconds(1));
            }
            catch (RuntimeException ex) {
                log.debug("Could not unregister the debug console's watches at close (they lapse): {}", ex.toString());
            }
        }
        commands.close();
        pubSub.close();
    }
}
