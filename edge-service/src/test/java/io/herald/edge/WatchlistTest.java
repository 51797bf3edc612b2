package io.herald.edge;

import io.herald.core.testing.RawClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.herald.core.broker.ChannelKey;
import io.herald.core.error.PusherError;
import io.herald.core.state.ChannelState;
import java.util.List;
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
            // signin_success goes out before the online record is made; wait for it, or cy's first
            // connection would leave while cy still counts once, and cy would go offline and online again.
            await().atMost(Duration.ofSeconds(10)).until(() -> server.bean(ConnectionRegistry.class).connections()
                    .stream().filter(c -> "cy".equals(c.userId()) && c.hasOnlineRecord()).count() == 2);
            cyFirst.close();
            cySecond.close();
            assertThat(ada.nextWatchlistEvents()).containsExactly("offline=[cy]");

            bob.close();
            assertThat(ada.nextWatchlistEvents()).containsExactly("offline=[bob]");
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
        // zed is online on another node, which then stops sending heartbeats (as after kill -9).
        server.bean(ChannelState.class).join(new ChannelKey(APP, Watchlists.ONLINE_PREFIX + "zed"), "dead-node",
                "9.9", new ChannelState.PresenceMember("zed", null)).block(java.time.Duration.ofSeconds(5));
        try (RawClient watcher = signIn("hal", List.of("zed"))) {
            assertThat(watcher.nextWatchlistEvents()).containsExactly("online=[zed]");
            assertThat(watcher.nextWatchlistEvents()).containsExactly("offline=[zed]");
        }
    }
}
