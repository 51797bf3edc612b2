package io.herald.core.debug.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.debug.DebugEvent;
import io.herald.core.debug.DebugNotice;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * The cluster's debug console on a real {@code redis-server}: a watching process (metrics-service)
 * and an emitting one (an edge), each with its own connections, as in a cluster.
 */
class RedisDebugConsoleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> closing = new ArrayList<>();
    private RedisServer redis;
    private String prefix;

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private final java.util.Map<RedisDebugConsole, RedisConnections> connectionsOf = new java.util.HashMap<>();

    private RedisDebugConsole console() {
        RedisConnections connections = new RedisConnections(new RedisProperties(List.of(), prefix,
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(200), redis.uri()));
        closing.add(connections);
        RedisDebugConsole console = new RedisDebugConsole(connections, Duration.ofSeconds(2), Duration.ofMillis(200),
                64, 100, Clock.systemUTC(), Schedulers.parallel());
        closing.add(console);
        connectionsOf.put(console, connections);
        return console;
    }

    private void start() {
        redis = RedisServer.start();
        prefix = RedisServer.uniquePrefix();
    }

    private static DebugEvent event(String appId, String data) {
        return DebugEvent.apiMessage(appId, Instant.now(), "ch", "ev", data, null);
    }

    private static boolean hasData(List<DebugNotice> got, String prefix) {
        return got.stream().anyMatch(n -> n instanceof DebugEvent e && e.data().startsWith(prefix));
    }

    @Test
    void aWatchAnnouncedMakesAnEmittingNodeSendAndItsEndMakesItStop() {
        start();
        RedisDebugConsole watcher = console();
        RedisDebugConsole edge = console();
        assertThat(edge.watched("app-a")).isFalse();

        List<DebugNotice> got = new CopyOnWriteArrayList<>();
        Disposable watching = watcher.watch("app-a").subscribe(got::add);
        await().atMost(WAIT).until(() -> edge.watched("app-a"));
        assertThat(edge.watched("app-b")).isFalse();
        edge.emit(event("app-a", "hello"));
        await().atMost(WAIT).until(() -> hasData(got, "hello"));
        assertThat(got).singleElement().isInstanceOfSatisfying(DebugEvent.class, e -> {
            assertThat(e.appId()).isEqualTo("app-a");
            assertThat(e.channel()).isEqualTo("ch");
        });

        watching.dispose();
        await().atMost(WAIT).until(() -> !edge.watched("app-a"));
        long published = edge.published();
        edge.emit(event("app-a", "after"));
        assertThat(edge.published()).isEqualTo(published);
    }

    @Test
    void nobodyWatchingPublishesNothingToRedisAndLeavesNoKey() throws Exception {
        start();
        RedisDebugConsole watcher = console();
        RedisDebugConsole edge = console();
        // Everything published on any debug console channel, seen by a bare client.
        RedisClient client = RedisClient.create(redis.uri().toString());
        closing.add(client::shutdown);
        StatefulRedisPubSubConnection<String, String> spy = client.connectPubSub();
        closing.add(spy::close);
        List<String> seen = new CopyOnWriteArrayList<>();
        spy.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                seen.add(channel);
            }
        });
        spy.sync().psubscribe(prefix + "debug:events:*");

        for (int i = 0; i < 100; i++) {
            edge.emit(event("app-a", "unwatched " + i));
        }
        assertThat(edge.published()).isZero();

        // A marker: app-b is watched and its event published on the same connection, after app-a's
        // (had any been published, Redis would have delivered them first).
        List<DebugNotice> got = new CopyOnWriteArrayList<>();
        Disposable watching = watcher.watch("app-b").subscribe(got::add);
        await().atMost(WAIT).until(() -> edge.watched("app-b"));
        edge.emit(event("app-b", "marker"));
        await().atMost(WAIT).until(() -> !seen.isEmpty() && hasData(got, "marker"));
        assertThat(seen).containsExactly(prefix + "debug:events:app-b");
        assertThat(edge.published()).isEqualTo(1);

        watching.dispose();
        await().atMost(WAIT).until(() -> client.connect().sync().exists(prefix + "debug:watchers") == 0);
    }

    @Test
    void aRestartedEmptyRedisWhileWatchedHealsByItself() {
        start();
        RedisDebugConsole watcher = console();
        RedisDebugConsole edge = console();
        List<DebugNotice> got = new CopyOnWriteArrayList<>();
        Disposable watching = watcher.watch("app-a").subscribe(got::add);
        closing.add(watching::dispose);
        await().atMost(WAIT).until(() -> edge.watched("app-a"));

        redis.restart(); // no persistence: the watch registration is gone
        AtomicInteger sent = new AtomicInteger();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            edge.emit(event("app-a", "after restart " + sent.incrementAndGet()));
            return hasData(got, "after restart");
        });
        // The watch is registered again, not only remembered: a node that starts now learns of it.
        RedisDebugConsole late = console();
        await().atMost(WAIT).until(() -> late.watched("app-a"));
        late.emit(event("app-a", "from a new node"));
        await().atMost(WAIT).until(() -> hasData(got, "from a new node"));
    }

    @Test
    void aWatchingProcessThatStopsRefreshingLapses() {
        start();
        RedisDebugConsole watcher = console();
        RedisDebugConsole edge = console();
        watcher.watch("app-a").subscribe();
        await().atMost(WAIT).until(() -> edge.watched("app-a"));
        // As if its process died: its connections go, it neither refreshes nor unregisters.
        connectionsOf.get(watcher).close();
        // Its member lapses after the watch TTL (2 s here), without an announcement.
        await().atMost(WAIT).until(() -> !edge.watched("app-a"));
    }
}
