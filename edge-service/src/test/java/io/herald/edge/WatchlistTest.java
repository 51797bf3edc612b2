package io.herald.edge;

import io.herald.core.testing.RawClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


import io.herald.core.broker.ChannelKey;
import io.herald.core.error.PusherError;
import io.herald.core.state.ChannelState;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Watchlist online status on one edge over real Redis, as the wire shows it (pusher-java-client
 * has no watchlist; pusher-js's is exercised by the standalone browser test).
 */
class WatchlistTest extends EdgeAppTestSupport {

    static final String APP = "watch-app";
    static final String KEY = "watch-key";
    static final String SECRET = "watch-secret";

    WatchlistTest() {
        super(APP, KEY, SECRET);
    }

    @Override
    Map<String, Object> settings() {
        return Map.of("herald.apps[2].watchlist-events", true,
                "herald.state.heartbeat-interval", "500ms", "herald.state.node-timeout", "3s");
    }

    /** A connection signed in as {@code userId} watching {@code watchlist}; returns after signin_success. */
    RawClient signIn(String userId, List<String> watchlist) {
        RawClient client = connect();
        ObjectNode userData = RawClient.JSON.createObjectNode();
        userData.put("id", userId);
        if (!watchlist.isEmpty()) {
            watchlist.forEach(userData.putArray("watchlist")::add);
        }
        client.signIn(client.established(), KEY, SECRET, userData.toString());
        return client;
    }

    @Test
    void aWatcherLearnsTheCurrentStateThenEachUserGoingOnlineAndOfflineOnce() {
        try (RawClient bob = signIn("bob", List.of()); RawClient ada = signIn("ada", List.of("bob", "cy"))) {
            assertThat(ada.nextWatchlistEvents()).containsExactly("online=[bob]", "offline=[cy]");

            RawClient cyFirst = signIn("cy", List.of());
            assertThat(ada.nextWatchlistEvents()).containsExactly("online=[cy]");
            // A second connection of an online user changes nothing; only the last one leaving does.
            RawClient cySecond = signIn("cy", List.of());
            // signin_success goes out once the online record is made: both of cy's connections count now.
            assertThat(server.bean(ConnectionRegistry.class).connections().stream()
                    .filter(c -> "cy".equals(c.userId()) && c.hasOnlineRecord())).hasSize(2);
            cyFirst.close();
            cySecond.close();
            assertThat(ada.nextWatchlistEvents()).containsExactly("offline=[cy]");

            bob.close();
            assertThat(ada.nextWatchlistEvents()).containsExactly("offline=[bob]");
        }
    }

    @Test
    void signinSuccessComesOnlyOnceTheUserIsRecordedOnline() {
        try (RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
                StatefulRedisConnection<String, String> control = admin.connect();
                RawClient ivy = connect()) {
            String socket = ivy.established();
            // The shard holds writes (the online record is one) for a second, well inside the command timeout.
            pauseWrites(control, 1000);
            ObjectNode userData = RawClient.JSON.createObjectNode().put("id", "ivy");
            userData.putArray("watchlist").add("jo");
            ivy.signIn(socket, KEY, SECRET, userData.toString());
            assertThat(server.bean(ConnectionRegistry.class).connections().stream()
                    .filter(c -> "ivy".equals(c.userId()) && c.hasOnlineRecord())).hasSize(1);
            assertThat(ivy.nextWatchlistEvents()).containsExactly("offline=[jo]");
        }
    }

    @Test
    void aStateShardThatDoesNotAnswerInTimeStillSignsTheUserInButNotOnline() {
        try (RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
                StatefulRedisConnection<String, String> control = admin.connect();
                RawClient kim = connect()) {
            String socket = kim.established();
            // Writes held for 4 s, beyond the 2 s command timeout: the online record fails (its
            // outcome unknown), so it is undone, and the sign-in goes on without it.
            pauseWrites(control, 4000);
            ObjectNode userData = RawClient.JSON.createObjectNode().put("id", "kim");
            kim.signIn(socket, KEY, SECRET, userData.toString());
            assertThat(server.bean(ConnectionRegistry.class).connections().stream()
                    .filter(c -> "kim".equals(c.userId()) && c.hasOnlineRecord())).isEmpty();
            // Once the shard answers writes again, the count is read on the node's own connection to
            // the shard, behind the join it held and the undo sent when the join timed out: so it
            // sees both, and kim is not online.
            await().atMost(Duration.ofSeconds(30)).until(() -> !isPaused(control));
            ChannelKey online = new ChannelKey(APP, Watchlists.ONLINE_PREFIX + "kim");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> server.bean(ChannelState.class).subscriptionCount(online)
                            .block(Duration.ofSeconds(30)) == 0);
        }
    }

    private static void pauseWrites(StatefulRedisConnection<String, String> control, long millis) {
        control.sync().dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("PAUSE").add(millis).add("WRITE"));
    }

    /** Whether writes are still held: a write with a short timeout does not answer. */
    private static boolean isPaused(StatefulRedisConnection<String, String> control) {
        try {
            control.async().set("watchlist-test-probe", "1").get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            return false;
        }
        catch (Exception ex) {
            return true;
        }
    }

    @Test
    void watchersOnSeveralConnectionsEachHearIt() {
        try (RawClient one = signIn("dee", List.of("eve")); RawClient two = signIn("fay", List.of("eve"))) {
            assertThat(one.nextWatchlistEvents()).containsExactly("offline=[eve]");
            assertThat(two.nextWatchlistEvents()).containsExactly("offline=[eve]");
            try (RawClient eve = signIn("eve", List.of())) {
                assertThat(one.nextWatchlistEvents()).containsExactly("online=[eve]");
                assertThat(two.nextWatchlistEvents()).containsExactly("online=[eve]");
            }
            assertThat(one.nextWatchlistEvents()).containsExactly("offline=[eve]");
            assertThat(two.nextWatchlistEvents()).containsExactly("offline=[eve]");
        }
    }

    @Test
    void aWatchlistOfMoreThan100IdsKeepsTheFirst100AndSays4302() {
        List<String> ids = IntStream.range(0, 101).mapToObj(i -> "u" + i).toList();
        try (RawClient watcher = signIn("gus", ids)) {
            JsonNode error = watcher.next("pusher:error");
            assertThat(error.get("data").get("code").asInt()).isEqualTo(PusherError.WATCHLIST_LIMIT.code());
            assertThat(watcher.nextWatchlistEvents()).containsExactly("offline=" + ids.subList(0, 100));
        }
    }

    @Test
    void aUserWhoseEdgeNodeDiedGoesOfflineWhenTheNodeIsReaped() {
        // zed is online on another node, which heartbeats until the watcher has seen zed online,
        // then stops (as after kill -9): however slow the sign-in, zed is not reaped before.
        ChannelState state = server.bean(ChannelState.class);
        state.join(new ChannelKey(APP, Watchlists.ONLINE_PREFIX + "zed"), "dead-node",
                "9.9", new ChannelState.PresenceMember("zed", null)).block(java.time.Duration.ofSeconds(30));
        Disposable heartbeats = Flux.interval(java.time.Duration.ofMillis(200))
                .concatMap(tick -> state.heartbeat("dead-node").onErrorComplete()).subscribe();
        try (RawClient watcher = signIn("hal", List.of("zed"))) {
            assertThat(watcher.nextWatchlistEvents()).containsExactly("online=[zed]");
            heartbeats.dispose();
            assertThat(watcher.nextWatchlistEvents()).containsExactly("offline=[zed]");
        }
        finally {
            heartbeats.dispose();
        }
    }
}
