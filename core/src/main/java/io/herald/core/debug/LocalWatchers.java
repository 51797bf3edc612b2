package io.herald.core.debug;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * The watchers of this process, per app, each with its own bounded buffer: what both adapters
 * deliver to. {@link #apps()} is a volatile immutable set, so "is this app watched here?" costs a
 * read and a lookup.
 */
public final class LocalWatchers {

    private final int bufferSize;
    private final Clock clock;
    private final Map<String, List<Watcher>> byApp = new ConcurrentHashMap<>();
    private final Consumer<String> firstWatcher;
    private final Consumer<String> lastWatcherGone;
    private volatile Set<String> apps = Set.of();

    /**
     * @param firstWatcher called (outside any lock of this class) when an app gets its first watcher here
     * @param lastWatcherGone called when an app's last watcher here is gone
     */
    public LocalWatchers(int bufferSize, Clock clock, Consumer<String> firstWatcher, Consumer<String> lastWatcherGone) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be positive");
        }
        this.bufferSize = bufferSize;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.firstWatcher = Objects.requireNonNull(firstWatcher, "firstWatcher");
        this.lastWatcherGone = Objects.requireNonNull(lastWatcherGone, "lastWatcherGone");
    }

    /** The apps watched in this process now (immutable). */
    public Set<String> apps() {
        return apps;
    }

    /** Whether {@code appId} has a watcher in this process: no allocation. */
    public boolean watched(String appId) {
        Set<String> now = apps;
        return !now.isEmpty() && now.contains(appId);
    }

    /** Offers {@code event} to each of its app's watchers here; a full buffer drops it for that watcher. */
    public void deliver(DebugEvent event) {
        List<Watcher> watchers = byApp.get(event.appId());
        if (watchers != null) {
            for (Watcher watcher : watchers) {
                watcher.offer(event);
            }
        }
    }

    /** A new watcher of {@code appId}, registered on subscription and removed on cancel, error or completion. */
    public Flux<DebugNotice> watch(String appId) {
        Objects.requireNonNull(appId, "appId");
        return Flux.defer(() -> {
            Watcher watcher = new Watcher();
            boolean first = add(appId, watcher);
            if (first) {
                firstWatcher.accept(appId);
            }
            return watcher.flux().doFinally(signal -> {
                if (remove(appId, watcher)) {
                    lastWatcherGone.accept(appId);
                }
            });
        });
    }

    private boolean add(String appId, Watcher watcher) {
        boolean[] first = new boolean[1];
        byApp.compute(appId, (id, list) -> {
            List<Watcher> out = list == null ? new CopyOnWriteArrayList<>() : list;
            first[0] = out.isEmpty();
            out.add(watcher);
            return out;
        });
        republish();
        return first[0];
    }

    private boolean remove(String appId, Watcher watcher) {
        boolean[] last = new boolean[1];
        byApp.computeIfPresent(appId, (id, list) -> {
            if (list.remove(watcher) && list.isEmpty()) {
                last[0] = true;
                return null;
            }
            return list.isEmpty() ? null : list;
        });
        republish();
        return last[0];
    }

    private synchronized void republish() {
        apps = Set.copyOf(new HashSet<>(byApp.keySet()));
    }

    /** One watcher: a unicast sink over a bounded queue, and the count of what did not fit. */
    private final class Watcher {

        private final Sinks.Many<DebugNotice> sink = Sinks.many().unicast()
                .onBackpressureBuffer(Queues.<DebugNotice>get(bufferSize).get());
        private final AtomicLong dropped = new AtomicLong();

        void offer(DebugEvent event) {
            Sinks.EmitResult result;
            // Emitters run on many threads; the sink takes one at a time. Held only for the offer.
            synchronized (this) {
                result = sink.tryEmitNext(event);
            }
            if (result.isFailure()) {
                dropped.incrementAndGet();
            }
        }

        Flux<DebugNotice> flux() {
            // Off the emitter's thread: what the watcher does with an event never runs on the hot path.
            return sink.asFlux().publishOn(Schedulers.parallel(), 32).concatMapIterable(notice -> {
                long lost = dropped.getAndSet(0);
                return lost == 0 ? List.of(notice) : List.of(new DebugNotice.Dropped(lost, clock.instant()), notice);
            }, 16);
        }
    }
}
