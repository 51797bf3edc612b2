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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p>Stale answers ({@code maxStaleness}): an entry past its TTL is kept, not thrown away. When
 * the delegate then <em>fails</em> (auth-service or the state Redis unreachable, a timeout, an open
 * circuit — anything but an answer), the last app it returned is served instead, as long as it
 * was fetched less than {@code maxStaleness} ago; beyond that, or with no such app, the error is
 * passed on as before. A "no such app" answer is never served stale (the error is passed on, a
 * retryable refusal rather than a definitive one), and an announcement of an app drops its last
 * known view too, so an app announced deleted or disabled is not brought back by a later outage.
 * A {@link AppChanges#RESYNC} keeps the last known views (only marks them for re-fetching): it is
 * what a reconnection after an outage produces, and the outage may still be going on. While any
 * app is served stale the store is "in stale mode": one warning when it enters, one line when the
 * delegate answers again (and one when an app first becomes too stale), never one per lookup.
 * A failure within {@value #RECOVERY_SETTLE_SECONDS} s of such an "answers again" is the same
 * outage settling (a circuit breaker's half-open trial refusing a concurrent call, a restarted
 * service's first slow answers): the store serves stale again, but logs that flap, and the
 * answer after it, at debug level only. {@link #staleApps()} and {@link #oldestStaleAge()} feed the {@code herald.apps.stale} gauges.
 *
 * <p>Never blocks: lookups are a map read or the delegate's own non-blocking lookup; errors of
 * the delegate are not cached.
 */
public final class CachingAppStore implements AppStore, AutoCloseable {

    /** The most "no such app" answers kept; beyond it they are all dropped (a flood of bad keys). */
    public static final int MAX_MISSES = 10_000;

    /** How long after the delegate answers again a new failure still counts as the same outage. */
    static final int RECOVERY_SETTLE_SECONDS = 10;
    private static final Duration RECOVERY_SETTLE = Duration.ofSeconds(RECOVERY_SETTLE_SECONDS);

    /** How long to wait before resubscribing to the delegate's announcements after an error. */
    private static final Duration RESUBSCRIBE_MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration RESUBSCRIBE_MAX_BACKOFF = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(CachingAppStore.class);

    private final AppStore delegate;
    private final Duration ttl;
    private final Duration maxStaleness;
    private final Clock clock;
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AppChanges changes = new AppChanges("cached");
    private final Disposable subscription;
    /** The apps last served stale, by id, with when they were last fetched; empty outside stale mode. */
    private final Map<String, Instant> staleApps = new ConcurrentHashMap<>();
    private final AtomicReference<Instant> staleSince = new AtomicReference<>();
    private final AtomicBoolean tooStaleSaid = new AtomicBoolean();
    /** When the delegate last answered again after an outage that was logged; null before any. */
    private final AtomicReference<Instant> recovered = new AtomicReference<>();
    /** Whether the current stale mode is a flap right after a recovery (logged at debug level). */
    private volatile boolean settling;

    /** A cache that never serves stale answers: {@code CachingAppStore(delegate, ttl, Duration.ZERO, clock)}. */
    public CachingAppStore(AppStore delegate, Duration ttl, Clock clock) {
        this(delegate, ttl, Duration.ZERO, clock);
    }

    /**
     * @param ttl how long an entry may live without an announcement; positive
     * @param maxStaleness how long after it was last fetched an app may still be served while the
     *        delegate fails; zero for never
     */
    public CachingAppStore(AppStore delegate, Duration ttl, Duration maxStaleness, Clock clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.maxStaleness = Objects.requireNonNull(maxStaleness, "maxStaleness");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        if (maxStaleness.isNegative()) {
            throw new IllegalArgumentException("maxStaleness must not be negative");
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

    /** How many apps are being served from their last known view (0 when the delegate answers). */
    public int staleApps() {
        return staleApps.size();
    }

    /** How old the oldest last known view being served is (since it was fetched); zero when none is. */
    public Duration oldestStaleAge() {
        Instant now = clock.instant();
        return staleApps.values().stream().min(Instant::compareTo).map(fetched -> Duration.between(fetched, now))
                .orElse(Duration.ZERO);
    }

    private Mono<App> lookup(Map<String, Entry> map, String lookupKey, Supplier<Mono<App>> load) {
        if (lookupKey == null) {
            return Mono.empty();
        }
        return Mono.defer(() -> {
            Entry entry = map.get(lookupKey);
            Instant now = clock.instant();
            if (entry != null && entry.current() && now.isBefore(entry.fetched().plus(ttl))) {
                return Mono.justOrEmpty(entry.app());
            }
            long seen = generation.get();
            return load.get()
                    .map(Optional::of)
                    .defaultIfEmpty(Optional.empty())
                    .doOnNext(found -> {
                        remember(map, lookupKey, found.orElse(null), seen);
                        answered();
                    })
                    .flatMap(Mono::justOrEmpty)
                    // Read again: an announcement during the call may have dropped the last known view.
                    .onErrorResume(ex -> stale(map.get(lookupKey), ex));
        });
    }

    /** The delegate failed: the last known view of the app if it is recent enough, else the error. */
    private Mono<App> stale(Entry entry, Throwable error) {
        if (entry == null || entry.app() == null || maxStaleness.isZero()) {
            return Mono.error(error);
        }
        Instant now = clock.instant();
        if (!now.isBefore(entry.fetched().plus(maxStaleness))) {
            if (tooStaleSaid.compareAndSet(false, true)) {
                log.warn("The last known view of app {} is older than {} (fetched at {}): its lookups fail "
                        + "until the app store can be reached again ({})", entry.app().id(), maxStaleness, entry.fetched(),
                        error.toString());
            }
            staleApps.remove(entry.app().id(), entry.fetched());
            return Mono.error(error);
        }
        staleApps.put(entry.app().id(), entry.fetched());
        if (staleSince.compareAndSet(null, now)) {
            Instant lastRecovery = recovered.get();
            settling = lastRecovery != null && now.isBefore(lastRecovery.plus(RECOVERY_SETTLE));
            if (settling) {
                log.debug("App store failed again {} after it answered ({}): still the same outage, serving apps "
                        + "from their last known view", Duration.between(lastRecovery, now), error.toString());
            }
            else {
                log.warn("App store unreachable ({}): serving apps from their last known view, each for up to {} "
                        + "after it was last fetched; channel authorization and sign-in still need it",
                        error.toString(), maxStaleness);
            }
        }
        return Mono.just(entry.app());
    }

    /** The delegate answered: leaves stale mode, if in it. */
    private void answered() {
        Instant since = staleSince.get();
        if (since != null && staleSince.compareAndSet(since, null)) {
            staleApps.clear();
            tooStaleSaid.set(false);
            Instant now = clock.instant();
            if (settling) {
                log.debug("App store answers again after a {} flap", Duration.between(since, now));
                return;
            }
            recovered.set(now);
            log.info("App store answers again after {}: apps are no longer served from their last known view",
                    Duration.between(since, now));
        }
    }

    private void remember(Map<String, Entry> map, String lookupKey, App app, long seen) {
        if (generation.get() != seen) {
            return;
        }
        Entry entry = new Entry(app, clock.instant(), true);
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
            // Re-fetch everything, but keep the last known views: the outage that made the
            // delegate resynchronise may not be over.
            dropMisses();
            byId.replaceAll((id, entry) -> entry.superseded());
            byKey.replaceAll((key, entry) -> entry.superseded());
            cached.forEach(changes::emit);
            return;
        }
        byId.remove(appId);
        byKey.values().removeIf(entry -> entry.app() != null && entry.app().id().equals(appId));
        staleApps.remove(appId);
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

    /**
     * A cached answer: the app, or {@code null} for "no such app"; when it was fetched; whether it
     * is still current (false after a resync: to be fetched again, though usable as a stale answer).
     */
    private record Entry(App app, Instant fetched, boolean current) {

        Entry superseded() {
            return current ? new Entry(app, fetched, false) : this;
        }
    }
}
