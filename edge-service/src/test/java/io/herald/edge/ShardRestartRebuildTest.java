package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.client.channel.User;
import com.pusher.rest.data.PresenceUser;
import io.herald.core.app.WebhookEventType;
import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.ChannelSummary;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.PresenceRecorder;
import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.webhook.WebhookQueue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A channel shard restarts without its data while every client stays connected: the edge records
 * its share again (official pusher-java-client subscribers, a real {@code redis-server} killed and
 * started empty on the same port), without announcing anything because of it.
 */
class ShardRestartRebuildTest {

    private static final Logger log = LoggerFactory.getLogger(ShardRestartRebuildTest.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    static final String APP = "rebuild-app";
    static final String KEY = "rebuild-key";
    static final String SECRET = "rebuild-secret";

    static RedisServer redis;
    static EdgeTestServer server;
    static final ConcurrentLinkedQueue<WebhookEvent> webhooks = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        server = edge(Map.of());
    }

    /** An edge on the test's shard; {@code extra} may name another edge's key prefix to join its cluster. */
    static EdgeTestServer edge(Map<String, Object> extra) {
        Map<String, Object> properties = new java.util.HashMap<>(Map.ofEntries(
                Map.entry("herald.apps[2].id", APP),
                Map.entry("herald.apps[2].key", KEY),
                Map.entry("herald.apps[2].secret", SECRET),
                Map.entry("herald.apps[2].watchlist-events", true),
                Map.entry("herald.apps[2].webhooks[0].url", "http://127.0.0.1:9/hooks"),
                Map.entry("herald.apps[2].webhooks[0].events",
                        "channel_occupied,channel_vacated,member_added,member_removed"),
                Map.entry("herald.state.epoch-check-interval", "1h"),
                Map.entry("herald.edge.webhook-leave-delay", "200ms"),
                Map.entry("herald.redis.reconnect-max-delay", "200ms")));
        properties.putAll(extra);
        return new EdgeTestServer(redis, properties,
                List.of(EdgeTestServer.wrapping(WebhookQueue.class, real -> event -> {
                    webhooks.add(event);
                    return real.enqueue(event);
                }), EdgeTestServer.wrapping(ChannelState.class, GatedChannelState::new)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    FeatureClient client(String userId, boolean signIn) throws Exception {
        return client(server, userId, signIn);
    }

    FeatureClient client(EdgeTestServer edge, String userId, boolean signIn) throws Exception {
        return new FeatureClient(edge.port, KEY, SECRET, APP,
                new PresenceUser(userId, FeatureClient.info("user " + userId)), userId, signIn);
    }

    static GatedChannelState state() {
        return (GatedChannelState) server.bean(ChannelState.class);
    }

    static long count(String channel) {
        return state().subscriptionCount(new ChannelKey(APP, channel)).block(Duration.ofSeconds(30));
    }

    static Set<String> members(String channel) {
        return state().members(new ChannelKey(APP, channel)).block(Duration.ofSeconds(30)).stream()
                .map(PresenceMember::userId).collect(Collectors.toSet());
    }

    /** The Redis pub/sub subscribers of {@code channel}'s broker channel: one per edge listening. */
    static long brokerListeners(String channel) {
        RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
        try (StatefulRedisConnection<String, String> connection = admin.connect()) {
            long listeners = 0;
            for (String name : connection.sync().pubsubChannels("*" + channel + "*")) {
                listeners += connection.sync().pubsubNumsub(name).getOrDefault(name, 0L);
            }
            return listeners;
        }
        finally {
            admin.shutdown();
        }
    }

    static List<ChannelSummary> channels() {
        // Internal # channels (online records) are left out of channel queries by publish-service.
        return state().channels(APP, "").filter(c -> !c.channel().startsWith("#")).collectList()
                .block(Duration.ofSeconds(30));
    }

    @Test
    void afterTheShardRestartsEmptyOccupancyPresenceAndLeavesAreRightAgainAndNothingIsAnnouncedTwice()
            throws Exception {
        String room = "presence-room";
        String news = "news";
        try (FeatureClient alice = client("alice", true); FeatureClient bob = client("bob", false)) {
            PresenceRecorder aliceSees = new PresenceRecorder();
            alice.pusher.subscribePresence(room, aliceSees);
            assertThat(aliceSees.members.get(15, TimeUnit.SECONDS)).extracting(User::getId).containsExactly("alice");
            ChannelRecorder aliceNews = new ChannelRecorder();
            alice.pusher.subscribe(news, aliceNews);
            aliceNews.subscribed.get(15, TimeUnit.SECONDS);
            PresenceRecorder bobSees = new PresenceRecorder();
            bob.pusher.subscribePresence(room, bobSees);
            assertThat(bobSees.members.get(15, TimeUnit.SECONDS)).extracting(User::getId)
                    .containsExactlyInAnyOrder("alice", "bob");
            assertThat(FeatureClient.next(aliceSees.changes)).isEqualTo("+bob");
            await().atMost(WAIT).until(() -> count(room) == 2 && count(news) == 1
                    && count(Watchlists.ONLINE_PREFIX + "alice") == 1);
            // What the app was told before the restart: occupied, alice and bob added.
            await().atMost(WAIT).until(() -> webhooks.stream().filter(e -> e.appId().equals(APP)).count() >= 4);
            webhooks.clear();

            Instant restarted = Instant.now();
            redis.restart();
            log.info("Redis restarted empty at {}", restarted);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> count(room) == 2 && count(news) == 1 && members(room).equals(Set.of("alice", "bob"))
                            && count(Watchlists.ONLINE_PREFIX + "alice") == 1);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> brokerListeners(room) == 1);
            log.info("Channel state right again {} ms after the restart",
                    Duration.between(restarted, Instant.now()).toMillis());
            assertThat(channels()).containsExactlyInAnyOrder(new ChannelSummary(room, 2, 2L),
                    new ChannelSummary(news, 1, null));
            assertThat(state().members(new ChannelKey(APP, room)).block(Duration.ofSeconds(30)))
                    .as("with the user_info they joined with")
                    .contains(new PresenceMember("bob", "{\"name\":\"user bob\"}"));

            // A new member sees everyone who was there all along, and the others see only her arrive.
            try (FeatureClient carol = client("carol", false)) {
                PresenceRecorder carolSees = new PresenceRecorder();
                carol.pusher.subscribePresence(room, carolSees);
                assertThat(carolSees.members.get(15, TimeUnit.SECONDS)).extracting(User::getId)
                        .containsExactlyInAnyOrder("alice", "bob", "carol");
                assertThat(FeatureClient.next(aliceSees.changes)).isEqualTo("+carol");
                assertThat(FeatureClient.next(bobSees.changes)).isEqualTo("+carol");

                // A watcher signing in now learns that alice is online.
                try (RawClient watcher = RawClient.connect(server.url("/app/" + KEY + "?protocol=7"))) {
                    ObjectNode userData = RawClient.JSON.createObjectNode();
                    userData.put("id", "watcher");
                    userData.putArray("watchlist").add("alice");
                    watcher.signIn(watcher.established(), KEY, SECRET, userData.toString());
                    assertThat(watcher.nextWatchlistEvents()).containsExactly("online=[alice]");
                }

                // A member who leaves after the rebuild is announced to the others and to the app.
                bob.close();
                assertThat(FeatureClient.next(aliceSees.changes)).isEqualTo("-bob");
                assertThat(FeatureClient.next(carolSees.changes)).isEqualTo("-bob");
                await().atMost(WAIT).until(() -> webhooks.stream().anyMatch(
                        e -> e.type() == WebhookEventType.MEMBER_REMOVED && "bob".equals(e.userId())));
                await().atMost(WAIT).until(() -> count(room) == 2 && members(room).equals(Set.of("alice", "carol")));
            }

            // Nothing was announced because of the rebuild: the only arrival is carol's.
            assertThat(FeatureClient.next(aliceSees.changes)).as("alice's later changes").isEqualTo("-carol");
            assertThat(aliceSees.changes).isEmpty();
            List<String> told = new ArrayList<>();
            webhooks.stream().filter(e -> e.appId().equals(APP))
                    .forEach(e -> told.add(e.type().wireName() + (e.userId() == null ? "" : " " + e.userId())));
            assertThat(told).as("webhooks since the restart")
                    .doesNotContain("channel_occupied", "member_added alice", "member_added bob")
                    .contains("member_added carol", "member_removed bob");
        }
    }

    /**
     * The client unsubscribes while the edge is recording its subscription again: the leave, which
     * finds nothing on the emptied shard, must not be overtaken by the re-recording (a phantom
     * subscription nobody holds).
     */
    @Test
    void anUnsubscribeWhileItsSubscriptionIsBeingRecordedAgainLeavesNoPhantom() {
        ChannelKey left = new ChannelKey(APP, "left-during-rebuild");
        ChannelKey kept = new ChannelKey(APP, "kept-during-rebuild");
        try (RawClient client = RawClient.connect(server.url("/app/" + KEY + "?protocol=7"))) {
            client.established();
            client.send(TestFrames.subscribe(left.channel()));
            client.next("pusher_internal:subscription_succeeded");
            client.send(TestFrames.subscribe(kept.channel()));
            client.next("pusher_internal:subscription_succeeded");
            await().atMost(WAIT).until(() -> count(left.channel()) == 1 && count(kept.channel()) == 1);

            GatedChannelState.RejoinHold hold = state().holdNextRejoin(left);
            redis.restart();
            hold.awaitRequested();
            int leavesBefore = state().leaves(left);
            client.send(TestFrames.unsubscribe(left.channel()));
            client.send(TestFrames.ping());
            client.next("pusher:pong");
            hold.release();

            await().atMost(WAIT).ignoreExceptions().until(() -> state().rejoins(left) == 1
                    && state().leaves(left) == leavesBefore + 1 && count(kept.channel()) == 1);
            assertThat(count(left.channel())).as("nobody holds it").isZero();
        }
    }

    /** Two edges detect the loss each by itself and each records its own share; leaves on either are announced. */
    @Test
    void twoEdgesEachRecordTheirShareAgain() throws Exception {
        String room = "presence-two-edges";
        webhooks.clear();
        try (EdgeTestServer other = edge(Map.of("herald.redis.key-prefix",
                server.context.getEnvironment().getProperty("herald.redis.key-prefix")));
                FeatureClient alice = client("alice", false); FeatureClient bob = client(other, "bob", false)) {
            PresenceRecorder aliceSees = new PresenceRecorder();
            alice.pusher.subscribePresence(room, aliceSees);
            aliceSees.members.get(15, TimeUnit.SECONDS);
            PresenceRecorder bobSees = new PresenceRecorder();
            bob.pusher.subscribePresence(room, bobSees);
            assertThat(bobSees.members.get(15, TimeUnit.SECONDS)).extracting(User::getId)
                    .containsExactlyInAnyOrder("alice", "bob");
            assertThat(FeatureClient.next(aliceSees.changes)).isEqualTo("+bob");

            redis.restart();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> count(room) == 2 && members(room).equals(Set.of("alice", "bob")));
            // And both edges listen on the room's broker channel again (Lettuce subscribes anew after
            // the restart): what is published before that is heard by nobody, as pub/sub is.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> brokerListeners(room) == 2);

            try (FeatureClient carol = client(other, "carol", false)) {
                PresenceRecorder carolSees = new PresenceRecorder();
                carol.pusher.subscribePresence(room, carolSees);
                assertThat(carolSees.members.get(15, TimeUnit.SECONDS)).extracting(User::getId)
                        .containsExactlyInAnyOrder("alice", "bob", "carol");
                assertThat(FeatureClient.next(aliceSees.changes)).isEqualTo("+carol");
                bob.close();
                assertThat(FeatureClient.next(aliceSees.changes)).isEqualTo("-bob");
                alice.close();
                assertThat(FeatureClient.next(carolSees.changes)).isEqualTo("-bob");
                assertThat(FeatureClient.next(carolSees.changes)).isEqualTo("-alice");
                await().atMost(WAIT).until(() -> webhooks.stream().filter(e -> e.type() == WebhookEventType.MEMBER_REMOVED)
                        .map(WebhookEvent::userId).collect(Collectors.toSet()).containsAll(Set.of("alice", "bob")));
            }
            assertThat(webhooks.stream().filter(e -> e.type() == WebhookEventType.MEMBER_ADDED)
                    .map(WebhookEvent::userId).toList()).as("member_added webhooks of this test")
                    .containsExactlyInAnyOrder("alice", "bob", "carol");
        }
    }
}
