package io.herald.core.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** What every {@link AppRegistry} adapter guarantees; run against the in-memory and the Redis one. */
public abstract class AppRegistryContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(30);

    protected AppRegistry registry;

    /** A new, empty registry (seeded with nothing). */
    protected abstract AppRegistry newRegistry();

    @BeforeEach
    void setUp() {
        registry = newRegistry();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (registry instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    protected static App app(String id, String key) {
        return new App(id, key, "secret-of-" + id, "App " + id, true,
                new AppLimits(100, 50, 5, 2048, 10, 512), new AppFeatures(true, false, true, true),
                List.of(new Webhook(URI.create("https://hooks.example.com/" + id),
                        Set.of(WebhookEventType.values()[0]))), null, null);
    }

    @Test
    void createdAppsAreFoundByIdAndKeyWithEverything() {
        App app = new App("a1", "k1", "s1", "One", false, new AppLimits(1, 2, 3, 4, 5, 6),
                new AppFeatures(true, true, false, false),
                List.of(new Webhook(URI.create("http://h.example/x"), Set.of())), "old",
                Instant.parse("2030-01-01T00:00:00Z"));

        StepVerifier.create(registry.create(app)).expectNext(app).expectComplete().verify(TIMEOUT);

        StepVerifier.create(registry.findById("a1")).expectNext(app).expectComplete().verify(TIMEOUT);
        StepVerifier.create(registry.findByKey("k1")).expectNext(app).expectComplete().verify(TIMEOUT);
        StepVerifier.create(registry.findById("k1")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(registry.findByKey("nope")).expectComplete().verify(TIMEOUT);
    }

    @Test
    void idsAndKeysAreUnique() {
        registry.create(app("a1", "k1")).block(TIMEOUT);

        StepVerifier.create(registry.create(app("a1", "k2")))
                .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(AppConflictException.class)
                        .hasMessageContaining("id a1").hasMessageNotContaining("secret"))
                .verify(TIMEOUT);
        StepVerifier.create(registry.create(app("a2", "k1")))
                .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(AppConflictException.class)
                        .hasMessageContaining("key k1"))
                .verify(TIMEOUT);
        StepVerifier.create(registry.findById("a2")).expectComplete().verify(TIMEOUT);
    }

    @Test
    void updatesReplaceTheAppButNeverItsIdOrKey() {
        registry.create(app("a1", "k1")).block(TIMEOUT);

        App updated = registry.update("a1", a -> a.withEnabled(false)).block(TIMEOUT);

        assertThat(updated.enabled()).isFalse();
        assertThat(registry.findByKey("k1").block(TIMEOUT)).isEqualTo(updated);
        StepVerifier.create(registry.update("nope", a -> a)).expectComplete().verify(TIMEOUT);
        StepVerifier.create(registry.update("a1", a -> new App("a1", "other-key", a.secret(), a.name(), true, 1)))
                .expectError(IllegalArgumentException.class).verify(TIMEOUT);
        assertThat(registry.findById("a1").block(TIMEOUT)).isEqualTo(updated);
    }

    @Test
    void concurrentUpdatesAreNotLost() {
        registry.create(app("a1", "k1")).block(TIMEOUT);

        Flux.range(0, 10)
                .flatMap(i -> registry.update("a1", a -> new App(a.id(), a.key(), a.secret(), a.name() + "+",
                        a.enabled(), a.limits(), a.features(), a.webhooks(), null, null)), 10)
                .then().block(Duration.ofSeconds(20));

        assertThat(registry.findById("a1").block(TIMEOUT).name()).isEqualTo("App a1" + "+".repeat(10));
    }

    @Test
    void deleteFreesTheIdAndTheKey() {
        registry.create(app("a1", "k1")).block(TIMEOUT);

        StepVerifier.create(registry.delete("a1")).expectNext(true).expectComplete().verify(TIMEOUT);
        StepVerifier.create(registry.delete("a1")).expectNext(false).expectComplete().verify(TIMEOUT);
        StepVerifier.create(registry.findById("a1")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(registry.findByKey("k1")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(registry.create(app("a2", "k1"))).expectNextCount(1).expectComplete().verify(TIMEOUT);
    }

    @Test
    void listIsOrderedById() {
        registry.create(app("b", "kb")).block(TIMEOUT);
        registry.create(app("a", "ka")).block(TIMEOUT);
        registry.create(app("c", "kc")).block(TIMEOUT);

        assertThat(registry.list().collectList().block(TIMEOUT)).extracting(App::id).containsExactly("a", "b", "c");
    }

    @Test
    void everyWriteIsAnnouncedAfterItIsVisible() {
        // On each announcement, look the app up: the write it announces must already be visible.
        List<String> seen = new CopyOnWriteArrayList<>();
        Disposable subscription = registry.changes()
                .filter(id -> !AppChanges.RESYNC.equals(id))
                .concatMap(id -> registry.findById(id).map(a -> id + (a.enabled() ? " enabled" : " disabled"))
                        .defaultIfEmpty(id + " absent"))
                .subscribe(seen::add);
        try {
            registry.create(app("a1", "k1")).block(TIMEOUT);
            await().atMost(TIMEOUT).until(() -> seen.size() == 1);
            registry.update("a1", a -> a.withEnabled(false)).block(TIMEOUT);
            await().atMost(TIMEOUT).until(() -> seen.size() == 2);
            registry.delete("a1").block(TIMEOUT);
            await().atMost(TIMEOUT).until(() -> seen.size() == 3);

            assertThat(seen).containsExactly("a1 enabled", "a1 disabled", "a1 absent");
        }
        finally {
            subscription.dispose();
        }
    }
}
