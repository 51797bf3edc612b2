package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;

/**
 * Subscription changes that overlap on one connection (issue 7), put in a known order by holding
 * the channel state's answer to a join: the real Redis state records the join, and the edge hears
 * of it only when the test says so ({@link GatedChannelState}). Frames go over a real WebSocket.
 * Each test ends by checking that the channel state and the local fan-out agree with what the
 * client was told.
 */
class SubscriptionInterleavingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    static RedisServer redis;
    static EdgeTestServer server;
    static GatedChannelState state;
    static LocalFanout fanout;
    static StateRepairs repairs;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        // Undos that fail are retried only when a test says so (StateRepairs.retry), so their order is known.
        server = new EdgeTestServer(redis, Map.of("herald.edge.state-repair-interval", "1h"),
                List.of(EdgeTestServer.wrapping(ChannelState.class, GatedChannelState::new)));
        state = (GatedChannelState) server.bean(ChannelState.class);
        fanout = server.bean(LocalFanout.class);
        repairs = server.bean(StateRepairs.class);
    }

    /** Each test starts with no undo waiting: one left by a test (an assertion failed) must not count in the next. */
    @AfterEach
    void repairWhatIsLeft() {
        await().atMost(WAIT).until(() -> {
            repairs.retry();
            return repairs.pending() == 0;
        });
    }

    @AfterAll
    static void stop() {
        server.close();
        redis.close();
    }

    @Test
    void subscribeUnsubscribeSubscribeWhileTheFirstJoinIsInFlightEndsSubscribed() {
        ChannelKey key = key("toggle");
        try (RawClient client = RawClient.connect(server.appUrl())) {
            client.established();
            GatedChannelState.Hold first = sendHeld(client, key, TestFrames.subscribe(key.channel()));
            client.send(TestFrames.unsubscribe(key.channel()));
            client.send(TestFrames.subscribe(key.channel()));
            handled(client);
            first.release();

            // The first subscribe is undone (one leave) and the second recorded (a second join).
            await().atMost(WAIT).until(() -> state.joins(key) == 2 && state.leaves(key) == 1);
            client.next("pusher_internal:subscription_succeeded");
            server.publish(key.channel(), "after", "ok", null);
            assertThat(client.next("after").get("data").asString()).isEqualTo("ok");
            assertThat(subscriptionCount(key)).isEqualTo(1);
            assertThat(fanout.localSubscribers(key)).isEqualTo(1);
        }
    }

    @Test
    void resubscribingToAPresenceChannelWhileTheFirstJoinIsInFlightKeepsTheMember() {
        ChannelKey key = key("presence-toggle");
        try (RawClient observer = watcher(key); RawClient client = RawClient.connect(server.appUrl())) {
            String socket = client.established();
            GatedChannelState.Hold first = sendHeld(client, key, subscribePresence(socket, key.channel(), "ann"));
            client.send(TestFrames.unsubscribe(key.channel()));
            client.send(subscribePresence(socket, key.channel(), "ann"));
            handled(client);
            first.release();

            await().atMost(WAIT).until(() -> state.joins(key) == 3 && state.leaves(key) == 1);
            JsonNode succeeded = client.next("pusher_internal:subscription_succeeded");
            assertThat(RawClient.JSON.readTree(succeeded.get("data").asString()).get("presence").get("ids"))
                    .extracting(JsonNode::asString).containsExactlyInAnyOrder("watcher", "ann");
            server.publish(key.channel(), "after", "ok", null);
            assertThat(client.next("after").get("data").asString()).isEqualTo("ok");
            // What the observer was told ends where the channel state is: ann is present.
            assertThat(memberEventsUntil(observer, "after")).containsExactly("+ann", "-ann", "+ann");
            assertThat(members(key)).containsExactlyInAnyOrder("watcher", "ann");
            assertThat(subscriptionCount(key)).isEqualTo(2);
            assertThat(fanout.localSubscribers(key)).isEqualTo(2);
        }
    }

    @Test
    void unsubscribingDuringAPendingPresenceJoinLeavesNoMember() {
        ChannelKey key = key("presence-withdrawn");
        try (RawClient observer = watcher(key); RawClient client = RawClient.connect(server.appUrl())) {
            String socket = client.established();
            GatedChannelState.Hold first = sendHeld(client, key, subscribePresence(socket, key.channel(), "bo"));
            client.send(TestFrames.unsubscribe(key.channel()));
            handled(client);
            first.release();

            await().atMost(WAIT).until(() -> state.leaves(key) == 1);
            server.publish(key.channel(), "after", "ok", null);
            assertThat(memberEventsUntil(observer, "after")).containsExactly("+bo", "-bo");
            assertThat(members(key)).containsExactly("watcher");
            assertThat(subscriptionCount(key)).isEqualTo(1);
            assertThat(fanout.localSubscribers(key)).isEqualTo(1);
            handled(client);
            assertThat(client.frames).as("the withdrawn subscribe is not answered").isEmpty();
        }
    }

    @Test
    void closingDuringAPendingJoinLeavesNothingRecorded() {
        ChannelKey key = key("closing");
        ConnectionRegistry registry = server.bean(ConnectionRegistry.class);
        RawClient client = RawClient.connect(server.appUrl());
        String socket = client.established();
        GatedChannelState.Hold first = sendHeld(client, key, TestFrames.subscribe(key.channel()));
        client.close();
        await().atMost(WAIT).until(() -> registry.connections().stream().noneMatch(c -> c.socketId().equals(socket)));
        first.release();

        await().atMost(WAIT).until(() -> state.leaves(key) == 1);
        assertThat(subscriptionCount(key)).isZero();
        assertThat(fanout.localSubscribers(key)).isZero();
    }

    @Test
    void aJoinWhoseAnswerIsLostIsUndoneAndRefused() {
        ChannelKey key = key("lost-answer");
        try (RawClient client = RawClient.connect(server.appUrl())) {
            client.established();
            GatedChannelState.Hold first = sendHeld(client, key, TestFrames.subscribe(key.channel()));
            first.fail();

            JsonNode error = client.next("pusher:subscription_error");
            assertThat(error.get("data").get("status").asInt()).isEqualTo(503);
            // The answer goes out first, the undo right after it.
            await().atMost(WAIT).until(() -> subscriptionCount(key) == 0);
            assertThat(fanout.localSubscribers(key)).isZero();

            // The client may try again.
            client.send(TestFrames.subscribe(key.channel()));
            client.next("pusher_internal:subscription_succeeded");
            server.publish(key.channel(), "after", "ok", null);
            assertThat(client.next("after").get("data").asString()).isEqualTo("ok");
            assertThat(subscriptionCount(key)).isEqualTo(1);
        }
    }

    @Test
    void aLostJoinIsAnsweredWithoutWaitingForItsUndoAndARetryWaitsForTheUndo() {
        ChannelKey key = key("answer-before-undo");
        try (RawClient client = RawClient.connect(server.appUrl())) {
            client.established();
            GatedChannelState.Hold first = sendHeld(client, key, TestFrames.subscribe(key.channel()));
            Sinks.Empty<Void> undo = state.holdNextLeave(key);
            first.fail();

            // Answered while the undo is still held (not a second command timeout later).
            assertThat(client.next("pusher:subscription_error").get("data").get("status").asInt()).isEqualTo(503);
            assertThat(state.leaves(key)).isZero();
            // A retry waits for the undo, so the undo cannot remove what the retry records.
            client.send(TestFrames.subscribe(key.channel()));
            handled(client);
            assertThat(client.frames).isEmpty();
            undo.tryEmitEmpty();
            client.next("pusher_internal:subscription_succeeded");
            assertThat(state.leaves(key)).isEqualTo(1);
            assertThat(subscriptionCount(key)).isEqualTo(1);
            server.publish(key.channel(), "after", "ok", null);
            assertThat(client.next("after").get("data").asString()).isEqualTo("ok");
        }
    }

    @Test
    void aLostPresenceJoinWhoseUndoFailsTooIsUndoneLater() {
        ChannelKey key = key("presence-undo-lost");
        try (RawClient observer = watcher(key); RawClient client = RawClient.connect(server.appUrl())) {
            String socket = client.established();
            GatedChannelState.Hold first = sendHeld(client, key, subscribePresence(socket, key.channel(), "cy"));
            state.failNextLeaves(key, 1);
            first.fail();

            JsonNode error = client.next("pusher:subscription_error");
            assertThat(error.get("data").get("status").asInt()).isEqualTo(503);
            assertThat(error.get("data").get("error").asString()).contains("did not answer in time");
            // The undo failed as well (it runs just after the answer): the member Redis recorded is
            // still there, waiting for its repair.
            await().atMost(WAIT).until(() -> repairs.pending() == 1);
            assertThat(members(key)).containsExactlyInAnyOrder("watcher", "cy");

            long finished = repairs.finished();
            repairs.retry();
            await().atMost(WAIT).until(() -> repairs.finished() > finished);
            assertThat(state.leaves(key)).isEqualTo(1);
            assertThat(members(key)).containsExactly("watcher");
            assertThat(subscriptionCount(key)).isEqualTo(1);
            assertThat(repairs.pending()).isZero();
        }
    }

    @Test
    void aSubscribeAfterAFailedUndoRunsTheUndoFirstSoTheOthersHearOfTheMember() {
        ChannelKey key = key("presence-undo-then-again");
        try (RawClient observer = watcher(key); RawClient client = RawClient.connect(server.appUrl())) {
            String socket = client.established();
            GatedChannelState.Hold first = sendHeld(client, key, subscribePresence(socket, key.channel(), "fay"));
            state.failNextLeaves(key, 1);
            first.fail();
            client.next("pusher:subscription_error");
            // The undo runs just after the answer, and fails.
            await().atMost(WAIT).until(() -> repairs.pending() == 1);

            // Subscribing again first undoes the record the failed undo left, then joins afresh:
            // the join is a real transition, announced to the others (the lost one never was).
            client.send(subscribePresence(socket, key.channel(), "fay"));
            client.next("pusher_internal:subscription_succeeded");
            assertThat(repairs.pending()).isZero();
            assertThat(state.leaves(key)).isEqualTo(1);
            server.publish(key.channel(), "after", "ok", null);
            assertThat(client.next("after").get("data").asString()).isEqualTo("ok");
            assertThat(memberEventsUntil(observer, "after")).containsExactly("-fay", "+fay");
            assertThat(members(key)).containsExactlyInAnyOrder("watcher", "fay");
            assertThat(subscriptionCount(key)).isEqualTo(2);

            // The periodic round has nothing left to do, and the subscription stays.
            repairs.retry();
            assertThat(subscriptionCount(key)).isEqualTo(2);
        }
    }

    @Test
    void anUnsubscribeWhoseLeaveFailsIsRecordedLater() {
        ChannelKey key = key("presence-leave-lost");
        try (RawClient observer = watcher(key); RawClient client = RawClient.connect(server.appUrl())) {
            String socket = client.established();
            client.send(subscribePresence(socket, key.channel(), "dee"));
            client.next("pusher_internal:subscription_succeeded");
            state.failNextLeaves(key, 1);
            client.send(TestFrames.unsubscribe(key.channel()));
            handled(client);
            await().atMost(WAIT).until(() -> repairs.pending() == 1);
            assertThat(members(key)).containsExactlyInAnyOrder("watcher", "dee");

            long finished = repairs.finished();
            repairs.retry();
            await().atMost(WAIT).until(() -> repairs.finished() > finished);
            server.publish(key.channel(), "after", "ok", null);
            assertThat(memberEventsUntil(observer, "after")).containsExactly("+dee", "-dee");
            assertThat(members(key)).containsExactly("watcher");
            assertThat(subscriptionCount(key)).isEqualTo(1);
        }
    }

    @Test
    void tooManyChangesWaitingOnOneChannelAreRefusedAndTheRestStaysConsistent() {
        ChannelKey key = key("flapping");
        try (RawClient client = RawClient.connect(server.appUrl())) {
            client.established();
            GatedChannelState.Hold first = sendHeld(client, key, TestFrames.subscribe(key.channel()));
            // Each subscribe after an unsubscribe waits behind the held one; one more than may wait is refused.
            for (int i = 0; i <= SubscriptionChanges.MAX_WAITING; i++) {
                client.send(TestFrames.unsubscribe(key.channel()));
                client.send(TestFrames.subscribe(key.channel()));
            }
            JsonNode refused = client.next("pusher:subscription_error");
            assertThat(refused.get("data").get("type").asString()).isEqualTo("LimitReached");
            first.release();

            // Every waiting subscribe was withdrawn by the unsubscribe after it: none may leave a trace.
            await().atMost(WAIT).until(() -> state.leaves(key) == 1);
            handled(client);
            assertThat(client.frames).isEmpty();
            assertThat(subscriptionCount(key)).isZero();
            assertThat(fanout.localSubscribers(key)).isZero();
            client.send(TestFrames.subscribe(key.channel()));
            client.next("pusher_internal:subscription_succeeded");
        }
    }

    private static ChannelKey key(String channel) {
        return new ChannelKey(EdgeTestServer.APP_ID, channel);
    }

    private static String subscribePresence(String socketId, String channel, String userId) {
        return TestFrames.subscribePresence(EdgeTestServer.KEY, EdgeTestServer.SECRET, socketId, channel, userId);
    }

    /** A connection present on the presence channel as {@code watcher}, to see what others are told. */
    private static RawClient watcher(ChannelKey key) {
        RawClient watcher = RawClient.connect(server.appUrl());
        watcher.send(subscribePresence(watcher.established(), key.channel(), "watcher"));
        watcher.next("pusher_internal:subscription_succeeded");
        return watcher;
    }

    /** Sends {@code frame}, whose join of {@code key} is held, and returns once the real state has recorded it. */
    private static GatedChannelState.Hold sendHeld(RawClient client, ChannelKey key, String frame) {
        GatedChannelState.Hold hold = state.holdNextJoin(key);
        client.send(frame);
        hold.awaitRecorded();
        return hold;
    }

    /** Waits until the edge has handled every frame sent before (frames of one socket are handled in order). */
    private static void handled(RawClient client) {
        client.send(TestFrames.ping());
        client.next("pusher:pong");
    }

    /** The observer's member_added (+id) and member_removed (-id) frames, in order, until {@code event}. */
    private static List<String> memberEventsUntil(RawClient observer, String event) {
        List<String> changes = new ArrayList<>();
        while (true) {
            JsonNode frame = observer.next();
            String name = frame.get("event").asString();
            if (name.equals(event)) {
                return changes;
            }
            JsonNode data = frame.has("data") ? RawClient.JSON.readTree(frame.get("data").asString()) : null;
            if (name.equals("pusher_internal:member_added")) {
                changes.add("+" + data.get("user_id").asString());
            }
            else if (name.equals("pusher_internal:member_removed")) {
                changes.add("-" + data.get("user_id").asString());
            }
        }
    }

    private static long subscriptionCount(ChannelKey key) {
        return state.subscriptionCount(key).block(WAIT);
    }

    private static List<String> members(ChannelKey key) {
        return state.members(key).block(WAIT).stream().map(PresenceMember::userId).toList();
    }
}
