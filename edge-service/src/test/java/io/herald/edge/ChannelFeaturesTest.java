package io.herald.edge;

import io.herald.core.testing.PresenceRecorder;
import io.herald.core.testing.RawClient;
import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.channel.PrivateChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.rest.data.PresenceUser;
import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.signature.ChannelSignatures;
import io.herald.core.state.ChannelCache;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Private, presence, cache channels, client events, sign-in and terminate_connections, with
 * Pusher's official Java client, on one edge over real Redis.
 */
class ChannelFeaturesTest extends EdgeAppTestSupport {

    static final String APP = "feat-app";
    static final String KEY = "feat-key";
    static final String SECRET = "feat-secret";

    ChannelFeaturesTest() {
        super(APP, KEY, SECRET);
    }

    @Override
    Map<String, Object> settings() {
        return Map.of("herald.apps[2].client-events", true, "herald.apps[2].max-presence-members", 2,
                "herald.apps[2].max-client-events-per-second", 5, "herald.apps[2].subscription-count", true);
    }

    FeatureClient client(String userId) throws Exception {
        return new FeatureClient(server.port, KEY, SECRET, APP,
                new PresenceUser(userId, FeatureClient.info("user " + userId)), userId, false);
    }

    FeatureClient signedInClient(String userId) throws Exception {
        return new FeatureClient(server.port, KEY, SECRET, APP,
                new PresenceUser(userId, FeatureClient.info("user " + userId)), userId, true);
    }

    void publish(String channel, String event, String data) {
        server.bean(Broker.class).publish(new Envelope(new ChannelKey(APP, channel), "m-" + System.nanoTime(), null,
                PusherCodec.channelEvent(event, channel, data, null))).block(Duration.ofSeconds(30));
    }

    static PrivateChannelEventListener privateListener(CompletableFuture<String> subscribed,
            BlockingQueue<PusherEvent> events) {
        return new PrivateChannelEventListener() {
            @Override
            public void onAuthenticationFailure(String message, Exception e) {
                subscribed.completeExceptionally(new AssertionError(message, e));
            }

            @Override
            public void onSubscriptionSucceeded(String channelName) {
                subscribed.complete(channelName);
            }

            @Override
            public void onEvent(PusherEvent event) {
                events.add(event);
            }
        };
    }

    @Test
    void authorizedPrivateSubscriptionsReceiveEvents() throws Exception {
        try (FeatureClient c = client("1")) {
            CompletableFuture<String> subscribed = new CompletableFuture<>();
            BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();
            c.pusher.subscribePrivate("private-orders", privateListener(subscribed, events), "paid");
            assertThat(subscribed.get(15, TimeUnit.SECONDS)).isEqualTo("private-orders");
            publish("private-orders", "paid", "{\"id\":7}");
            assertThat(FeatureClient.nextEvent(events).getData()).isEqualTo("{\"id\":7}");
        }
    }

    @Test
    void refusesForgedWrongSocketAndWrongAppSignatures() {
        try (RawClient raw = RawClient.connect("ws://127.0.0.1:" + server.port + "/app/" + KEY + "?protocol=7")) {
            String socket = raw.established();
            String channel = "private-secrets";
            String forged = KEY + ":" + "0".repeat(64);
            String wrongSocket = ChannelSignatures.token(KEY, SECRET,
                    ChannelSignatures.channelStringToSign("1.1", channel, null));
            String wrongApp = ChannelSignatures.token(EdgeTestServer.KEY, EdgeTestServer.SECRET,
                    ChannelSignatures.channelStringToSign(socket, channel, null));
            String wrongSecret = ChannelSignatures.token(KEY, "not-the-secret",
                    ChannelSignatures.channelStringToSign(socket, channel, null));
            for (String auth : new String[] { forged, wrongSocket, wrongApp, wrongSecret, "" }) {
                raw.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                        + auth + "\"}}");
                JsonNode error = raw.next("pusher:subscription_error");
                assertThat(error.get("data").get("type").asString()).isEqualTo("AuthError");
                assertThat(error.get("data").get("status").asInt()).isEqualTo(401);
                assertThat(error.get("data").get("error").asString()).doesNotContain(SECRET);
            }
            String good = ChannelSignatures.token(KEY, SECRET, ChannelSignatures.channelStringToSign(socket, channel, null));
            raw.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + good
                    + "\"}}");
            assertThat(raw.next("pusher_internal:subscription_succeeded").get("channel").asString()).isEqualTo(channel);
        }
    }

    @Test
    void presenceListsMembersAndAnnouncesArrivalsAndDeparturesOncePerUser() throws Exception {
        String channel = "presence-room";
        try (FeatureClient alice = client("alice")) {
            PresenceRecorder aliceSees = new PresenceRecorder();
            alice.pusher.subscribePresence(channel, aliceSees);
            assertThat(aliceSees.members.get(15, TimeUnit.SECONDS)).extracting(User::getId).containsExactly("alice");

            FeatureClient bob = client("bob");
            PresenceRecorder bobSees = new PresenceRecorder();
            bob.pusher.subscribePresence(channel, bobSees);
            assertThat(bobSees.members.get(15, TimeUnit.SECONDS)).extracting(User::getId)
                    .containsExactlyInAnyOrder("alice", "bob");
            assertThat(FeatureClient.next(aliceSees.changes)).isEqualTo("+bob");

            // Bob's second connection is the same member: no member_added, and the channel is not "full".
            FeatureClient bobAgain = client("bob");
            PresenceRecorder bobAgainSees = new PresenceRecorder();
            bobAgain.pusher.subscribePresence(channel, bobAgainSees);
            assertThat(bobAgainSees.members.get(15, TimeUnit.SECONDS)).hasSize(2);

            // A third distinct user is over the app's limit of 2 members.
            try (RawClient carol = RawClient.connect("ws://127.0.0.1:" + server.port + "/app/" + KEY + "?protocol=7")) {
                String socket = carol.established();
                String data = "{\"user_id\":\"carol\"}";
                String auth = ChannelSignatures.token(KEY, SECRET,
                        ChannelSignatures.channelStringToSign(socket, channel, data));
                carol.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                        + auth + "\",\"channel_data\":" + PusherCodec.json().writeValueAsString(data) + "}}");
                assertThat(carol.next("pusher:subscription_error").get("data").get("type").asString())
                        .isEqualTo("LimitReached");
            }

            bob.close();
            bobAgain.close();
            assertThat(FeatureClient.next(aliceSees.changes)).as("one member_removed when bob's last connection left")
                    .isEqualTo("-bob");
            assertThat(aliceSees.changes.poll(1, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void clientEventsReachOthersButNotTheSenderAndAreRateLimited() throws Exception {
        String channel = "private-chat";
        // What earlier tests of this server counted is sent and read away first.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            server.bean(io.herald.core.usage.UsageFlusher.class).flush().block(java.time.Duration.ofSeconds(30));
            return server.bean(io.herald.core.usage.UsageStream.class).read("test", 100_000, java.time.Duration.ZERO)
                    .block(java.time.Duration.ofSeconds(30)).stream().noneMatch(e -> e.delta().appId().equals(APP)
                            && e.delta().counts().get(io.herald.core.usage.UsageQuantity.CLIENT_EVENTS)
                                    + e.delta().counts().get(io.herald.core.usage.UsageQuantity.MESSAGES_DELIVERED) > 0);
        });
        try (FeatureClient sender = client("s"); FeatureClient receiver = client("r")) {
            BlockingQueue<PusherEvent> senderEvents = new LinkedBlockingQueue<>();
            BlockingQueue<PusherEvent> receiverEvents = new LinkedBlockingQueue<>();
            CompletableFuture<String> a = new CompletableFuture<>();
            CompletableFuture<String> b = new CompletableFuture<>();
            var senderChannel = sender.pusher.subscribePrivate(channel, privateListener(a, senderEvents), "client-typing",
                    "done");
            receiver.pusher.subscribePrivate(channel, privateListener(b, receiverEvents), "client-typing", "done");
            a.get(15, TimeUnit.SECONDS);
            b.get(15, TimeUnit.SECONDS);
            senderChannel.trigger("client-typing", "{\"who\":\"s\"}");
            PusherEvent typing = FeatureClient.nextEvent(receiverEvents);
            assertThat(typing.getEventName()).isEqualTo("client-typing");
            assertThat(typing.getData()).isEqualTo("{\"who\":\"s\"}");
            publish(channel, "done", "{}");
            assertThat(FeatureClient.nextEvent(senderEvents).getEventName()).as("not echoed to the sender")
                    .isEqualTo("done");
            // Counted once as a client event. Deliveries: the event to the one other subscriber, "done" to
            // both, and the app's subscription_count events (their number depends on timing), so at least 3.
            long[] counted = new long[2];
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                server.bean(io.herald.core.usage.UsageFlusher.class).flush().block(java.time.Duration.ofSeconds(30));
                for (var entry : server.bean(io.herald.core.usage.UsageStream.class)
                        .read("test", 1000, java.time.Duration.ZERO).block(java.time.Duration.ofSeconds(30))) {
                    if (entry.delta().appId().equals(APP)) {
                        counted[0] += entry.delta().counts().get(io.herald.core.usage.UsageQuantity.CLIENT_EVENTS);
                        counted[1] += entry.delta().counts().get(io.herald.core.usage.UsageQuantity.MESSAGES_DELIVERED);
                    }
                }
                return counted[0] == 1 && counted[1] >= 3;
            });
        }
        try (RawClient raw = RawClient.connect("ws://127.0.0.1:" + server.port + "/app/" + KEY + "?protocol=7")) {
            String socket = raw.established();
            String auth = ChannelSignatures.token(KEY, SECRET, ChannelSignatures.channelStringToSign(socket, channel, null));
            raw.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + auth + "\"}}");
            raw.next("pusher_internal:subscription_succeeded");
            for (int i = 0; i < 20; i++) {
                raw.send("{\"event\":\"client-spam\",\"channel\":\"" + channel + "\",\"data\":{\"i\":" + i + "}}");
            }
            assertThat(raw.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4301);
            raw.send("{\"event\":\"client-x\",\"channel\":\"public-one\",\"data\":{}}");
        }
    }

    @Test
    void clientEventsAreRefusedOnPublicChannelsAndForAppsWithoutThem() {
        try (RawClient raw = RawClient.connect("ws://127.0.0.1:" + server.port + "/app/" + KEY + "?protocol=7")) {
            raw.established();
            raw.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"open\"}}");
            raw.next("pusher_internal:subscription_succeeded");
            raw.send("{\"event\":\"client-x\",\"channel\":\"open\",\"data\":{}}");
            assertThat(raw.next("pusher:error").get("data").get("message").asString()).contains("private and presence");
        }
        try (RawClient raw = RawClient.connect(server.appUrl())) {
            raw.established();
            raw.send("{\"event\":\"client-x\",\"channel\":\"private-x\",\"data\":{}}");
            assertThat(raw.next("pusher:error").get("data").get("message").asString()).contains("not enabled");
        }
    }

    @Test
    void cacheChannelsSendTheLastEventOrACacheMiss() {
        try (RawClient first = RawClient.connect(server.appUrl())) {
            first.established();
            first.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"cache-prices\"}}");
            first.next("pusher_internal:subscription_succeeded");
            assertThat(first.next().get("event").asString()).isEqualTo("pusher:cache_miss");
        }
        byte[] cached = PusherCodec.channelEvent("price", "cache-prices", "{\"eur\":3}", null);
        server.bean(ChannelCache.class).store(new ChannelKey(EdgeTestServer.APP_ID, "cache-prices"), cached,
                Duration.ofMinutes(30)).block(Duration.ofSeconds(30));
        try (RawClient second = RawClient.connect(server.appUrl())) {
            second.established();
            second.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"cache-prices\"}}");
            second.next("pusher_internal:subscription_succeeded");
            JsonNode event = second.next();
            assertThat(event.get("event").asString()).isEqualTo("price");
            assertThat(event.get("data").asString()).isEqualTo("{\"eur\":3}");
            // Subscribing again only confirms: the cached event is not replayed.
            second.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"cache-prices\"}}");
            second.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertThat(second.next().get("event").asString()).isEqualTo("pusher_internal:subscription_succeeded");
            assertThat(second.next().get("event").asString()).isEqualTo("pusher:pong");
            server.publish("cache-prices", "fresh", "{}", null);
            JsonNode next = second.next();
            while (!"fresh".equals(next.get("event").asString())) {
                assertThat(next.get("event").asString()).as("no replay of the cached event").isNotEqualTo("price");
                next = second.next();
            }
        }
    }

    @Test
    void signedInUsersGetServerToUserEventsAndCanBeTerminated() throws Exception {
        try (FeatureClient user = signedInClient("u-42")) {
            BlockingQueue<PusherEvent> personal = new LinkedBlockingQueue<>();
            user.pusher.user().bind("notice", personal::add);
            String channel = PusherCodec.SERVER_TO_USER_PREFIX + "u-42";
            // Events published to the user's channel reach the signed-in connection.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        publish(channel, "notice", "{\"hello\":\"u-42\"}");
                        return !personal.isEmpty();
                    });
            assertThat(personal.peek().getData()).isEqualTo("{\"hello\":\"u-42\"}");

            server.bean(Broker.class).publish(Envelope.terminateUser(new ChannelKey(APP, channel), "t-1"))
                    .block(Duration.ofSeconds(30));
            user.disconnected.get(15, TimeUnit.SECONDS);
            assertThat(FeatureClient.next(user.errors)).startsWith("4009");
        }
    }

    @Test
    void refusesOtherUsersServerToUserChannels() {
        try (RawClient raw = RawClient.connect("ws://127.0.0.1:" + server.port + "/app/" + KEY + "?protocol=7")) {
            raw.established();
            raw.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"#server-to-user-someone\"}}");
            assertThat(raw.next("pusher:subscription_error").get("data").get("status").asInt()).isEqualTo(403);
        }
    }

    @Test
    void subscribersAreToldTheClusterWideSubscriptionCount() throws Exception {
        try (FeatureClient first = client("c1")) {
            java.util.concurrent.atomic.AtomicReference<String> latest = new java.util.concurrent.atomic.AtomicReference<>();
            first.pusher.subscribe("counted", new com.pusher.client.channel.ChannelEventListener() {
                @Override
                public void onSubscriptionSucceeded(String channelName) {
                }

                @Override
                public void onEvent(PusherEvent event) {
                    latest.set(event.getData());
                }
            }, "pusher:subscription_count");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> "{\"subscription_count\":1}".equals(latest.get()));
            try (FeatureClient second = client("c2")) {
                second.pusher.subscribe("counted");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> "{\"subscription_count\":2}".equals(latest.get()));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> "{\"subscription_count\":1}".equals(latest.get()));
        }
    }
}
