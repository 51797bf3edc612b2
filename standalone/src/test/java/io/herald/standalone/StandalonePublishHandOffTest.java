package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.channel.PusherEvent;
import com.pusher.rest.data.Result;
import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.FanoutGate;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP API answers a publish once the broker has the message (queued in memory, or the
 * Redis PUBLISH acknowledged), never after the local fan-out, and the fan-out runs on the
 * broker's fan-out threads, in publish order per channel. Run on the in-memory broker and on a
 * real Redis, with the official server library publishing and the official client receiving.
 */
class StandalonePublishHandOffTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String CHANNEL = "hand-off";

    /**
     * A broker node of the test holds the fan-out of the channel (one delivery spins in its
     * listener); meanwhile the HTTP API still answers 200 to publishes to that channel, the
     * official client has not got them yet, and gets them, in order, once the hold ends.
     */
    @ParameterizedTest(name = "redis={0}")
    @ValueSource(booleans = { false, true })
    void aPublishIsAnsweredWhileTheFanOutIsHeldAndTheSubscriberGetsItAfter(boolean redis) throws Exception {
        try (RedisServer server = redis ? RedisServer.start() : null;
                StandaloneServer herald = new StandaloneServer(properties(server))) {
            OfficialClient client = OfficialClient.connect("demo-key", herald.port);
            com.pusher.rest.Pusher publisher = herald.publisher();
            FanoutGate gate = new FanoutGate();
            Broker.Node holder = herald.context.getBean(Broker.class).openNode(envelope -> {
                if (new String(envelope.frame(), java.nio.charset.StandardCharsets.UTF_8).contains("\"hold\"")) {
                    gate.hold();
                }
            });
            try {
                holder.subscribe(new ChannelKey("demo-app", CHANNEL)).block(TIMEOUT);
                ChannelRecorder recorder = new ChannelRecorder();
                client.pusher.subscribe(CHANNEL, recorder, "hold", "tick");
                recorder.subscribed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                try {
                    // On another thread, bounded: a server that answered after the fan-out would not answer.
                    assertThat(trigger(publisher, "hold", 0)).isEqualTo(200);
                    assertThat(gate.awaitHeld(TIMEOUT)).isTrue();
                    // The fan-out runs on the broker's fan-out threads, not the request's nor Lettuce's.
                    assertThat(gate.holder()).startsWith("herald-fanout-");
                    assertThat(trigger(publisher, "tick", 1)).isEqualTo(200);
                    assertThat(trigger(publisher, "tick", 2)).isEqualTo(200);
                    // Queued behind the held delivery on the channel's lane: not delivered yet.
                    assertThat(recorder.events).extracting(PusherEvent::getEventName).doesNotContain("tick");
                }
                finally {
                    gate.release();
                }
                List<String> received = new ArrayList<>();
                while (received.size() < 3) {
                    PusherEvent event = recorder.events.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(event).as("received so far: %s", received).isNotNull();
                    received.add(event.getEventName() + ":" + event.getData());
                }
                assertThat(received).containsExactly("hold:{\"n\":0}", "tick:{\"n\":1}", "tick:{\"n\":2}");
            }
            finally {
                gate.release();
                holder.close();
                publisher.close();
                client.close();
            }
        }
    }

    /**
     * Several publishers at once, each publishing its own sequence one request after the other:
     * every subscriber gets every message, and each publisher's messages in the order it sent them.
     */
    @ParameterizedTest(name = "redis={0}")
    @ValueSource(booleans = { false, true })
    void concurrentPublishersMessagesArriveInEachPublishersOrder(boolean redis) throws Exception {
        int publishers = 4;
        int perPublisher = 40;
        try (RedisServer server = redis ? RedisServer.start() : null;
                StandaloneServer herald = new StandaloneServer(properties(server))) {
            List<OfficialClient> clients = new ArrayList<>();
            List<ChannelRecorder> recorders = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    OfficialClient client = OfficialClient.connect("demo-key", herald.port);
                    clients.add(client);
                    ChannelRecorder recorder = new ChannelRecorder();
                    client.pusher.subscribe(CHANNEL, recorder, "seq");
                    recorder.subscribed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    recorders.add(recorder);
                }
                List<CompletableFuture<Void>> running = new ArrayList<>();
                for (int p = 0; p < publishers; p++) {
                    int publisherId = p;
                    running.add(CompletableFuture.runAsync(() -> {
                        com.pusher.rest.Pusher publisher = herald.publisher();
                        try {
                            for (int i = 0; i < perPublisher; i++) {
                                Result result = publisher.trigger(CHANNEL, "seq", Map.of("p", publisherId, "i", i));
                                assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
                            }
                        }
                        finally {
                            try {
                                publisher.close();
                            }
                            catch (Exception ex) {
                                // closing the library's HTTP client; nothing to do
                            }
                        }
                    }));
                }
                CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                        .get(TIMEOUT.toSeconds() * 4, TimeUnit.SECONDS);

                Pattern data = Pattern.compile("\"p\":(\\d+).*\"i\":(\\d+)|\"i\":(\\d+).*\"p\":(\\d+)");
                for (ChannelRecorder recorder : recorders) {
                    int[] last = new int[publishers];
                    java.util.Arrays.fill(last, -1);
                    for (int n = 0; n < publishers * perPublisher; n++) {
                        PusherEvent event = recorder.events.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                        assertThat(event).as("message %d", n).isNotNull();
                        Matcher m = data.matcher(event.getData());
                        assertThat(m.find()).as(event.getData()).isTrue();
                        int p = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(4));
                        int i = Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(3));
                        assertThat(i).as("publisher %d after %d", p, last[p]).isEqualTo(last[p] + 1);
                        last[p] = i;
                    }
                    assertThat(last).containsOnly(perPublisher - 1);
                }
            }
            finally {
                clients.forEach(OfficialClient::close);
            }
        }
    }

    /** The HTTP status of a publish, or -1 when the library got no answer (its own timeout). */
    private static int trigger(com.pusher.rest.Pusher publisher, String event, int n) throws Exception {
        Result result = CompletableFuture.supplyAsync(() -> publisher.trigger(CHANNEL, event, Map.of("n", n)))
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return result.getHttpStatus() == null ? -1 : result.getHttpStatus();
    }

    private static Map<String, Object> properties(RedisServer redis) {
        Map<String, Object> properties = new HashMap<>();
        if (redis != null) {
            properties.put("herald.redis.shards[0]", redis.uri().toString());
            properties.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        }
        return properties;
    }
}
