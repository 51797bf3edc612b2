package io.herald.core.app.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.core.app.App;
import io.herald.core.app.AppChanges;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppRegistryContractTest;
import io.herald.core.redis.RedisProperties;
import io.herald.core.redis.RedisUnavailableException;
import io.herald.core.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** The Redis registry against a real {@code redis-server}, each test with its own key prefix. */
class RedisAppStoreTest extends AppRegistryContractTest {

    static RedisServer redis;

    String prefix;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private final java.util.List<io.herald.core.redis.RedisConnections> connections = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeConnections() {
        connections.forEach(io.herald.core.redis.RedisConnections::close);
    }

    private RedisAppStore store(RedisProperties properties) {
        io.herald.core.redis.RedisConnections made = new io.herald.core.redis.RedisConnections(properties);
        connections.add(made);
        return new RedisAppStore(made);
    }

    static RedisProperties properties(URI state, String prefix) {
        return new RedisProperties(List.of(), prefix, Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofMillis(200), state);
    }

    @Override
    protected AppRegistry newRegistry() {
        prefix = RedisServer.uniquePrefix();
        return store(properties(redis.uri(), prefix));
    }

    @Test
    void anotherProcessSeesWritesAndTheirAnnouncements() {
        try (RedisAppStore other = store(properties(redis.uri(), prefix))) {
            List<String> announced = new CopyOnWriteArrayList<>();
            Disposable subscription = other.changes().subscribe(announced::add);
            try {
                App app = app("a1", "k1");
                registry.create(app).block(TIMEOUT);

                await().atMost(TIMEOUT).until(() -> announced.contains("a1"));
                assertThat(other.findByKey("k1").block(TIMEOUT)).isEqualTo(app);
            }
            finally {
                subscription.dispose();
            }
        }
    }

    @Test
    void seedingWritesOnlyWhatIsAbsent() {
        RedisAppStore store = (RedisAppStore) registry;
        App configured = app("a1", "k1");
        store.seed(List.of(configured)).block(TIMEOUT);
        App changed = store.update("a1", a -> a.withEnabled(false)).block(TIMEOUT);

        // A restart seeds again: the change made since is kept; a new configured app is added; one whose key
        // another app has is skipped.
        Integer seeded = store.seed(List.of(configured, app("a2", "k2"), app("a3", "k1"))).block(TIMEOUT);

        assertThat(seeded).isEqualTo(1);
        assertThat(store.findById("a1").block(TIMEOUT)).isEqualTo(changed);
        assertThat(store.findById("a2").block(TIMEOUT)).isNotNull();
        assertThat(store.findById("a3").block(TIMEOUT)).isNull();
    }

    @Test
    void aStateRedisBackEmptyGetsItsSeedAgainAndMissingAppsAreUnknownForNowNotDeleted() {
        try (RedisServer own = RedisServer.start()) {
            RedisAppStore store = store(properties(own.uri(), RedisServer.uniquePrefix()));
            store.seed(List.of(app("seeded", "k-seeded"), app("doomed", "k-doomed"))).block(TIMEOUT);
            store.create(app("made", "k-made")).block(TIMEOUT);
            store.watch(Duration.ofMillis(200), Duration.ofHours(1));
            assertThat(store.findById("unknown").blockOptional(TIMEOUT)).isEmpty();

            own.restart();

            // The seed comes back by itself; the app made through the admin API cannot, and is
            // unknown for now (a retryable error), not "no such app" (which would close its connections).
            await().atMost(TIMEOUT).ignoreExceptions()
                    .untilAsserted(() -> {
                        assertThat(store.findByKey("k-seeded").block(TIMEOUT)).isNotNull();
                        assertThat(store.findById("doomed").block(TIMEOUT)).isNotNull();
                    });
            assertThatThrownBy(() -> store.findById("made").block(TIMEOUT))
                    .isInstanceOf(io.herald.core.redis.RedisUnavailableException.class);
            assertThatThrownBy(() -> store.findByKey("k-made").block(TIMEOUT))
                    .isInstanceOf(io.herald.core.redis.RedisUnavailableException.class);

            // Deleted through the admin API meanwhile: deleted, at once.
            assertThat(store.delete("doomed").block(TIMEOUT)).isTrue();
            assertThat(store.findById("doomed").blockOptional(TIMEOUT)).isEmpty();
            assertThat(store.findByKey("k-doomed").blockOptional(TIMEOUT)).isEmpty();

            // Created again by the operator: found.
            store.create(app("made", "k-made")).block(TIMEOUT);
            assertThat(store.findByKey("k-made").block(TIMEOUT)).isNotNull();
        }
    }

    @Test
    void thisProcessHearsOfItsOwnWriteBeforeTheWriteCompletesAndOnlyOnce() {
        // Read-your-writes: a secret rotated with no grace stops at once in the process that rotated it.
        List<String> announced = new CopyOnWriteArrayList<>();
        Disposable subscription = registry.changes().subscribe(announced::add);
        try {
            registry.create(app("own-1", "own-k1")).block(TIMEOUT);
            assertThat(announced).containsExactly("own-1");
            registry.update("own-1", a -> a.withEnabled(false)).block(TIMEOUT);
            assertThat(announced).containsExactly("own-1", "own-1");
            registry.delete("own-1").block(TIMEOUT);
            assertThat(announced).containsExactly("own-1", "own-1", "own-1");

            // The pub/sub copies of those three writes are not announced again; another
            // process's write still is.
            try (RedisAppStore other = store(properties(redis.uri(), prefix))) {
                other.create(app("other-1", "other-k1")).block(TIMEOUT);
            }
            await().atMost(TIMEOUT).until(() -> announced.contains("other-1"));
            assertThat(announced).containsExactly("own-1", "own-1", "own-1", "other-1");
        }
        finally {
            subscription.dispose();
        }
    }

    @Test
    void aRedisOutageEndsWithAResyncAnnouncement() {
        try (RedisServer own = RedisServer.start();
                RedisAppStore store = store(properties(own.uri(), prefix))) {
            List<String> announced = new CopyOnWriteArrayList<>();
            Disposable subscription = store.changes().subscribe(announced::add);
            try {
                own.restart();

                await().atMost(Duration.ofSeconds(30)).until(() -> announced.contains(AppChanges.RESYNC));
                // The announcement connection may be back before the command connection: a caller
                // retries a refused write, as it would a 503.
                await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(RedisUnavailableException.class)
                        .until(() -> store.create(app("a1", "k1")).block(TIMEOUT) != null);
                await().atMost(TIMEOUT).until(() -> announced.contains("a1"));
            }
            finally {
                subscription.dispose();
            }
        }
    }

    @Test
    void aStateRedisThatIsDownFailsTheStartWithoutThePassword() {
        RedisServer down = RedisServer.start();
        URI uri = URI.create("redis://:hunter2-password@127.0.0.1:" + down.port());
        down.close();

        assertThatThrownBy(() -> store(properties(uri, prefix)))
                .hasMessageContaining("127.0.0.1:" + down.port())
                .hasMessageNotContaining("hunter2-password");
    }
}
