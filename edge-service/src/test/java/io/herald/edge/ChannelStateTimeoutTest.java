package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.ChannelKey;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A shard that is up but does not answer in time (a real Redis paused with {@code CLIENT PAUSE},
 * beyond a short {@code herald.redis.command-timeout}): the subscribe is refused as "busy, retry",
 * not as an outage, and the presence member the join recorded once Redis went on is undone. A
 * shard answering {@code BUSY} (a script running past its limit) is "busy" too.
 */
class ChannelStateTimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    static RedisServer redis;
    static EdgeTestServer server;
    static ChannelState state;
    static RedisClient admin;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        server = new EdgeTestServer(redis, Map.of("herald.redis.command-timeout", "500ms"));
        state = server.bean(ChannelState.class);
        admin = RedisClient.create(RedisURI.create(redis.uri()));
    }

    @AfterAll
    static void stop() {
        server.close();
        admin.shutdown();
        redis.close();
    }

    @Test
    void aJoinThatTimesOutIsRefusedAsATimeoutAndLeavesNoMemberOnceTheShardAnswers() {
        ChannelKey key = new ChannelKey(EdgeTestServer.APP_ID, "presence-slow-shard");
        try (RawClient watcher = RawClient.connect(server.appUrl());
                RawClient client = RawClient.connect(server.appUrl());
                StatefulRedisConnection<String, String> control = admin.connect()) {
            watcher.send(subscribePresence(watcher.established(), key.channel(), "watcher"));
            watcher.next("pusher_internal:subscription_succeeded");
            String socket = client.established();

            // Redis holds every command for 3 s, far beyond the 500 ms command timeout, then runs them in order.
            control.sync().clientPause(3000);
            client.send(subscribePresence(socket, key.channel(), "eve"));

            JsonNode data = client.next("pusher:subscription_error").get("data");
            assertThat(data.get("status").asInt()).isEqualTo(503);
            assertThat(data.get("type").asString()).isEqualTo("ServerBusy");
            assertThat(data.get("error").asString()).contains("did not answer in time")
                    .doesNotContain("unavailable");
            Counter timeouts = server.bean(MeterRegistry.class).find(HeraldMeters.SUBSCRIPTIONS_REFUSED.meterName())
                    .tag("reason", "timeout").counter();
            assertThat(timeouts).isNotNull();
            assertThat(timeouts.count()).isEqualTo(1);

            // Once Redis runs the join it held, the undo follows it: only the watcher is left.
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> members(key).equals(List.of("watcher")) && subscriptionCount(key) == 1);
            // And the client may subscribe again.
            client.send(subscribePresence(socket, key.channel(), "eve"));
            client.next("pusher_internal:subscription_succeeded");
            assertThat(members(key)).containsExactlyInAnyOrder("watcher", "eve");
        }
    }

    @Test
    void aShardBusyWithALongScriptIsReportedBusyNotDown() {
        ChannelKey key = new ChannelKey(EdgeTestServer.APP_ID, "busy-shard");
        try (RawClient client = RawClient.connect(server.appUrl());
                StatefulRedisConnection<String, String> control = admin.connect();
                StatefulRedisConnection<String, String> looping = admin.connect()) {
            client.established();
            control.sync().configSet("busy-reply-threshold", "100");
            // A script that runs until it is killed: Redis answers every other command BUSY meanwhile.
            looping.async().eval("while true do end", ScriptOutputType.STATUS);
            await().atMost(WAIT).until(() -> answersBusy(control));
            try {
                client.send(TestFrames.subscribe(key.channel()));
                JsonNode data = client.next("pusher:subscription_error").get("data");
                assertThat(data.get("status").asInt()).isEqualTo(503);
                assertThat(data.get("type").asString()).isEqualTo("ServerBusy");
                assertThat(data.get("error").asString()).contains("busy");
            }
            finally {
                await().atMost(WAIT).ignoreExceptions().until(() -> "OK".equals(control.sync().scriptKill()));
                // SCRIPT KILL answers before the script has stopped: Redis may answer BUSY a little longer.
                await().atMost(WAIT).until(() -> !answersBusy(control));
                await().atMost(WAIT).ignoreExceptions()
                        .until(() -> "OK".equals(control.sync().configSet("busy-reply-threshold", "5000")));
            }
            Counter busy = server.bean(MeterRegistry.class).find(HeraldMeters.SUBSCRIPTIONS_REFUSED.meterName())
                    .tag("reason", "shard_busy").counter();
            assertThat(busy).isNotNull();
            assertThat(busy.count()).isEqualTo(1);
            client.send(TestFrames.subscribe(key.channel()));
            client.next("pusher_internal:subscription_succeeded");
            await().atMost(WAIT).until(() -> subscriptionCount(key) == 1);
        }
    }

    private static boolean answersBusy(StatefulRedisConnection<String, String> control) {
        try {
            control.sync().ping();
            return false;
        }
        catch (RedisBusyException ex) {
            return true;
        }
    }

    private static String subscribePresence(String socketId, String channel, String userId) {
        return TestFrames.subscribePresence(EdgeTestServer.KEY, EdgeTestServer.SECRET, socketId, channel, userId);
    }

    private static long subscriptionCount(ChannelKey key) {
        return state.subscriptionCount(key).block(WAIT);
    }

    private static List<String> members(ChannelKey key) {
        return state.members(key).block(WAIT).stream().map(PresenceMember::userId).toList();
    }
}
