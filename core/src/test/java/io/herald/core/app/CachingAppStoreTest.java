package io.herald.core.app;

import io.herald.core.testing.TestClock;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import reactor.test.StepVerifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.app.redis.RedisAppStore;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class CachingAppStoreTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final Duration TTL = Duration.ofSeconds(30);

    final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    final CountingStore delegate = new CountingStore();

    static App app(String id, String key, boolean enabled) {
        return new App(id, key, "secret-" + id, null, enabled, 1024);
    }

    @Test
    void lookupsAreCachedByIdAndByKey() {
        delegate.put(app("a1", "k1", true));
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, clock)) {
            assertThat(cache.findById("a1").block(TIMEOUT)).isNotNull();
            assertThat(cache.findById("a1").block(TIMEOUT)).isNotNull();
            assertThat(cache.findByKey("k1").block(TIMEOUT)).isNotNull();

            assertThat(delegate.lookups.get()).isEqualTo(1);
        }
    }

    @Test
    void anEntryExpiresAfterTheTtlWithoutAnyAnnouncement() {
        delegate.put(app("a1", "k1", true));
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, clock)) {
            cache.findByKey("k1").block(TIMEOUT);
            delegate.put(app("a1", "k1", false));

            clock.advance(TTL.minusSeconds(1));
            assertThat(cache.findByKey("k1").block(TIMEOUT).enabled()).isTrue();
            clock.advance(Duration.ofSeconds(1));
            assertThat(cache.findByKey("k1").block(TIMEOUT).enabled()).isFalse();
            assertThat(delegate.lookups.get()).isEqualTo(2);
        }
    }

    @Test
    void anAnnouncementDropsTheEntryAndIsPassedOnAfterwards() {
        delegate.put(app("a1", "k1", true));
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, clock)) {
            List<String> seenOnAnnouncement = new CopyOnWriteArrayList<>();
            Disposable subscription = cache.changes()
                    .concatMap(id -> cache.findByKey("k1").map(a -> id + ":" + a.enabled()))
                    .subscribe(seenOnAnnouncement::add);
            cache.findByKey("k1").block(TIMEOUT);
            cache.findById("a1").block(TIMEOUT);

            delegate.put(app("a1", "k1", false));
            delegate.announce("a1");

            assertThat(seenOnAnnouncement).containsExactly("a1:false");
            assertThat(cache.findById("a1").block(TIMEOUT).enabled()).isFalse();
            subscription.dispose();
        }
    }

    @Test
    void unknownAppsAreCachedUntilAnyAnnouncement() {
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, clock)) {
            assertThat(cache.findByKey("k1").block(TIMEOUT)).isNull();
            assertThat(cache.findByKey("k1").block(TIMEOUT)).isNull();
            assertThat(delegate.lookups.get()).isEqualTo(1);

            delegate.put(app("a1", "k1", true));
            delegate.announce("a1");

            assertThat(cache.findByKey("k1").block(TIMEOUT)).isNotNull();
        }
    }

    @Test
    void aResyncDropsEverythingAndAnnouncesEachCachedApp() {
        delegate.put(app("a1", "k1", true));
        delegate.put(app("a2", "k2", true));
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, clock)) {
            List<String> announced = new CopyOnWriteArrayList<>();
            Disposable subscription = cache.changes().subscribe(announced::add);
            cache.findById("a1").block(TIMEOUT);
            cache.findById("a2").block(TIMEOUT);
            delegate.put(app("a1", "k1", false));

            delegate.announce(AppChanges.RESYNC);

            assertThat(announced).containsExactlyInAnyOrder("a1", "a2");
            assertThat(cache.findById("a1").block(TIMEOUT).enabled()).isFalse();
            subscription.dispose();
        }
    }

    @Test
    void errorsOfTheDelegateAreNotCached() {
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, clock)) {
            delegate.failing = true;
            assertThat(cache.findById("a1").onErrorResume(ex -> Mono.just(app("x", "x", true))).block(TIMEOUT).id())
                    .isEqualTo("x");
            delegate.failing = false;
            delegate.put(app("a1", "k1", true));

            assertThat(cache.findById("a1").block(TIMEOUT)).isNotNull();
        }
    }

    @Test
    void aWriteInAnotherProcessReachesTheCacheWithinABoundedWait() {
        try (RedisServer redis = RedisServer.start()) {
            String prefix = RedisServer.uniquePrefix();
            RedisProperties properties = new RedisProperties(List.of(), prefix, Duration.ofSeconds(2),
                    Duration.ofSeconds(2), Duration.ofMillis(200), redis.uri());
            try (io.herald.core.redis.RedisConnections connections = new io.herald.core.redis.RedisConnections(properties);
                    RedisAppStore writer = new RedisAppStore(connections);
                    RedisAppStore reader = new RedisAppStore(connections);
                    CachingAppStore cache = new CachingAppStore(reader, TTL, clock)) {
                writer.create(app("a1", "k1", true)).block(TIMEOUT);
                assertThat(cache.findByKey("k1").block(TIMEOUT).enabled()).isTrue();

                writer.update("a1", a -> a.withEnabled(false)).block(TIMEOUT);

                // The clock does not move: only the announcement can make the cache see the change.
                await().atMost(TIMEOUT).until(() -> !cache.findByKey("k1").block(TIMEOUT).enabled());
                writer.delete("a1").block(TIMEOUT);
                await().atMost(TIMEOUT).until(() -> cache.findById("a1").block(TIMEOUT) == null);
            }
        }
    }

    /** An app store over a map, counting lookups, whose announcements the test makes. */
    static final Duration MAX_STALENESS = Duration.ofMinutes(10);

    @Test
    void whileTheDelegateFailsTheLastKnownViewIsServedUpToTheMaxStaleness() {
        delegate.put(app("a1", "k1", true));
        ListAppender<ILoggingEvent> logs = capture();
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, MAX_STALENESS, clock)) {
            cache.findByKey("k1").block(TIMEOUT);
            delegate.failing = true;
            clock.advance(TTL.plusSeconds(1));

            for (int i = 0; i < 3; i++) {
                assertThat(cache.findByKey("k1").block(TIMEOUT).id()).isEqualTo("a1");
                assertThat(cache.findById("a1").block(TIMEOUT).id()).isEqualTo("a1");
            }
            assertThat(cache.staleApps()).isEqualTo(1);
            assertThat(cache.oldestStaleAge()).isEqualTo(TTL.plusSeconds(1));
            assertThat(messages(logs)).filteredOn(m -> m.contains("unreachable")).hasSize(1);

            clock.advance(MAX_STALENESS.minus(TTL));
            StepVerifier.create(cache.findByKey("k1")).expectErrorMessage("down").verify(TIMEOUT);
            StepVerifier.create(cache.findById("a1")).expectErrorMessage("down").verify(TIMEOUT);
            assertThat(cache.staleApps()).isZero();

            delegate.failing = false;
            assertThat(cache.findByKey("k1").block(TIMEOUT).id()).isEqualTo("a1");
            assertThat(messages(logs)).filteredOn(m -> m.contains("answers again")).hasSize(1);
            assertThat(messages(logs)).filteredOn(m -> m.contains("older than")).hasSize(1);
        }
        finally {
            detach(logs);
        }
    }

    @Test
    void aFailureRightAfterTheDelegateAnswersAgainIsTheSameOutageAndIsNotWarnedAgain() {
        delegate.put(app("a1", "k1", true));
        ListAppender<ILoggingEvent> logs = capture();
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, MAX_STALENESS, clock)) {
            cache.findByKey("k1").block(TIMEOUT);
            delegate.failing = true;
            clock.advance(TTL.plusSeconds(1));
            assertThat(cache.findByKey("k1").block(TIMEOUT).id()).isEqualTo("a1");
            delegate.failing = false;
            assertThat(cache.findByKey("k1").block(TIMEOUT).id()).isEqualTo("a1");
            assertThat(cache.staleApps()).isZero();

            // A flap while the delegate settles (a half-open breaker refusing a concurrent trial call).
            clock.advance(Duration.ofSeconds(CachingAppStore.RECOVERY_SETTLE_SECONDS - 1));
            delegate.failing = true;
            delegate.announce(AppChanges.RESYNC);
            assertThat(cache.findByKey("k1").block(TIMEOUT).id()).isEqualTo("a1");
            assertThat(cache.staleApps()).isEqualTo(1);
            delegate.failing = false;
            delegate.announce(AppChanges.RESYNC);
            assertThat(cache.findByKey("k1").block(TIMEOUT).id()).isEqualTo("a1");
            assertThat(cache.staleApps()).isZero();
            assertThat(messages(logs)).filteredOn(m -> m.startsWith("App store unreachable")).hasSize(1);
            assertThat(messages(logs)).filteredOn(m -> m.startsWith("App store answers again")).hasSize(1);

            // Longer after the recovery, a failure is a new outage, warned about again.
            clock.advance(Duration.ofSeconds(2));
            delegate.failing = true;
            delegate.announce(AppChanges.RESYNC);
            assertThat(cache.findByKey("k1").block(TIMEOUT).id()).isEqualTo("a1");
            assertThat(messages(logs)).filteredOn(m -> m.startsWith("App store unreachable")).hasSize(2);
        }
        finally {
            detach(logs);
        }
    }

    @Test
    void withoutMaxStalenessAFailureIsPassedOn() {
        delegate.put(app("a1", "k1", true));
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, clock)) {
            cache.findByKey("k1").block(TIMEOUT);
            delegate.failing = true;
            clock.advance(TTL);
            StepVerifier.create(cache.findByKey("k1")).expectErrorMessage("down").verify(TIMEOUT);
        }
    }

    @Test
    void noSuchAppAndAnAnnouncedAppAreNeverServedStale() {
        delegate.put(app("a1", "k1", true));
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, MAX_STALENESS, clock)) {
            assertThat(cache.findByKey("unknown").blockOptional(TIMEOUT)).isEmpty();
            cache.findByKey("k1").block(TIMEOUT);
            delegate.announce("a1");
            delegate.failing = true;
            clock.advance(TTL);

            // Unknown: a retryable failure, not a definitive "no such app" from an old answer.
            StepVerifier.create(cache.findByKey("unknown")).expectErrorMessage("down").verify(TIMEOUT);
            // Announced (perhaps deleted): its last known view is gone.
            StepVerifier.create(cache.findByKey("k1")).expectErrorMessage("down").verify(TIMEOUT);
            StepVerifier.create(cache.findById("a1")).expectErrorMessage("down").verify(TIMEOUT);
        }
    }

    @Test
    void aResyncKeepsTheLastKnownViewButFetchesAgain() {
        delegate.put(app("a1", "k1", true));
        try (CachingAppStore cache = new CachingAppStore(delegate, TTL, MAX_STALENESS, clock)) {
            cache.findByKey("k1").block(TIMEOUT);
            delegate.announce(AppChanges.RESYNC);
            delegate.put(app("a1", "k1", false));
            assertThat(cache.findByKey("k1").block(TIMEOUT).enabled()).isFalse();

            delegate.announce(AppChanges.RESYNC);
            delegate.failing = true;
            assertThat(cache.findByKey("k1").block(TIMEOUT).enabled()).isFalse();
            assertThat(cache.staleApps()).isEqualTo(1);
        }
    }

    static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(CachingAppStore.class)).addAppender(logs);
        return logs;
    }

    static void detach(ListAppender<ILoggingEvent> logs) {
        ((Logger) LoggerFactory.getLogger(CachingAppStore.class)).detachAppender(logs);
    }

    static List<String> messages(ListAppender<ILoggingEvent> logs) {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    static final class CountingStore implements AppStore {

        final Map<String, App> apps = new ConcurrentHashMap<>();
        final AtomicInteger lookups = new AtomicInteger();
        final Sinks.Many<String> changes = Sinks.many().multicast().directBestEffort();
        volatile boolean failing;

        void put(App app) {
            apps.put(app.id(), app);
        }

        void announce(String id) {
            changes.tryEmitNext(id);
        }

        @Override
        public Mono<App> findById(String appId) {
            return Mono.defer(() -> {
                lookups.incrementAndGet();
                return failing ? Mono.error(new IllegalStateException("down")) : Mono.justOrEmpty(apps.get(appId));
            });
        }

        @Override
        public Mono<App> findByKey(String key) {
            return Mono.defer(() -> {
                lookups.incrementAndGet();
                return failing ? Mono.error(new IllegalStateException("down"))
                        : Mono.justOrEmpty(apps.values().stream().filter(a -> a.key().equals(key)).findFirst());
            });
        }

        @Override
        public Flux<String> changes() {
            return changes.asFlux();
        }
    }

}
