package io.herald.core.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * An {@link AppStore} decorator that remembers lookups, by id and by key, so that connections
 * and publishes do not reach the registry (Redis or auth-service) each time.
 *
 * <p>Freshness: an entry is dropped as soon as the delegate's {@link AppStore#changes()} announces
 * its app, and in any case {@code ttl} after it was fetched (the safety net for announcements
 * lost while a connection was down or a subscriber fell behind). "No such app" answers are
 * cached too (so unknown keys cannot hammer the registry), at most {@value #MAX_MISSES} of them;
 * every announcement drops them all, since a new app may have taken one of those keys or ids.
 * A lookup that was in flight when an announcement arrived is not cached.
 *
 * <p>{@link #changes()} re-announces the delegate's announcements <em>after</em> dropping the
 * entry, so a subscriber that looks the app up on an announcement sees the new state. A
 * {@link AppChanges#RESYNC} from the delegate drops everything and is re-announced as one
 * announcement per app that was cached.
 *
 * <p>Never blocks: lookups are a map read or the delegate's own non-blocking lookup; errors of
 * the delegate are passed on and not cached.
 */
public final class CachingAppStore implements AppStore, AutoCloseable {

    /** The most "no such app" answers kept; beyond it they are all dropped (a flood of bad keys). */
    public static final int MAX_MISSES = 10_000;

    /** How long to wait before resubscribing to the delegate's announcements after an error. */
    private static final Duration RESUBSCRIBE_MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration RESUBSCRIBE_MAX_BACKOFF = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(CachingAppStore.class);

    private final AppStore delegate;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AppChanges changes = new AppChanges("cached");
    private final Disposable subscription;

    /** @param ttl how long an entry may live without an announcement; positive */
    public CachingAppStore(AppStore delegate, Duration ttl, Clock clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        this.subscription = delegate.changes()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, RESUBSCRIBE_MIN_BACKOFF).maxBackoff(RESUBSCRIBE_MAX_BACKOFF)
                        .doBeforeRetry(signal -> {
                            log.warn("App change announcements failed ({}); resubscribing, cache dropped",
                                    signal.failure().toString());
                            onChange(AppChanges.RESYNC);
                        }))
                .subscribe(this::onChange, error -> log.error("App change announcements ended", error));
    }

    /** The store this one caches. */
    public AppStore delegate() {
        return delegate;
    }

    @Override
    public Mono<App> findById(String appId) {
        return lookup(byId, appId, () -> delegate.findById(appId));
    }

    @Override
    public Mono<App> findByKey(String key) {
        return lookup(byKey, key, () -> delegate.findByKey(key));
    }

    @Override
    public Flux<String> changes() {
        return changes.flux();
    }

    private Mono<App> lookup(Map<String, Entry> map, String lookupKey, Supplier<Mono<App>> load) {
        if (lookupKey == null) {
            return Mono.empty();
        }
        return Mono.defer(() -> {
            Entry entry = map.get(lookupKey);
            Instant now = clock.instant();
            if (entry != null && now.isBefore(entry.expires())) {
                return Mono.justOrEmpty(entry.app());
            }
            long seen = generation.get();
            return load.get()
                    .map(Optional::of)
                    .defaultIfEmpty(Optional.empty())
                    .doOnNext(found -> remember(map, lookupKey, found.orElse(null), seen))
                    .flatMap(Mono::justOrEmpty);
        });
    }

    private void remember(Map<String, Entry> map, String lookupKey, App app, long seen) {
        if (generation.get() != seen) {
            return;
        }
        Entry entry = new Entry(app, clock.instant().plus(ttl));
        if (app != null) {
            byId.put(app.id(), entry);
            byKey.put(app.key(), entry);
        }
        else {
            if (misses.incrementAndGet() > MAX_MISSES) {
                dropMisses();
            }
            map.put(lookupKey, entry);
        }
        if (generation.get() != seen) {
            // An announcement arrived while storing: undo, it may be about this app.
            if (app != null) {
                byId.remove(app.id(), entry);
                byKey.remove(app.key(), entry);
            }
            else {
                map.remove(lookupKey, entry);
            }
        }
    }

    private void onChange(String appId) {
        generation.incrementAndGet();
        if (AppChanges.RESYNC.equals(appId)) {
            Set<String> cached = new HashSet<>();
            byId.values().forEach(entry -> {
                if (entry.app() != null) {
                    cached.add(entry.app().id());
                }
            });
            byId.clear();
            byKey.clear();
            misses.set(0);
            cached.forEach(changes::emit);
            return;
        }
        byId.remove(appId);
        byKey.values().removeIf(entry -> entry.app() != null && entry.app().id().equals(appId));
        dropMisses();
        changes.emit(appId);
    }

    private void dropMisses() {
        byId.values().removeIf(entry -> entry.app() == null);
        byKey.values().removeIf(entry -> entry.app() == null);
        misses.set(0);
    }

    /** Stops watching announcements and ends {@link #changes()}; the delegate is left open (its owner closes it). */
    @Override
    public void close() {
        subscription.dispose();
        changes.complete();
    }

    /** A cached answer: the app, or {@code null} for "no such app". */
    private record Entry(App app, Instant expires) {
    }
}
