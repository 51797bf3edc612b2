package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pusher.client.channel.Channel;
import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pusher's official Java client (pusher-java-client 2.4.4) against the edge. */
class OfficialClientTest {

    static RedisServer redis;
    static EdgeTestServer server;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        server = new EdgeTestServer(redis, Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
        redis.close();
    }

    @Test
    void receivesEveryEventInOrder() throws Exception {
        try (OfficialClient client = OfficialClient.connect(EdgeTestServer.KEY, server.port)) {
            assertThat(client.socketId).matches("\\d+\\.\\d+");
            CompletableFuture<String> subscribed = new CompletableFuture<>();
            BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();
            Channel channel = client.pusher.subscribe("orders", new ChannelEventListener() {
                @Override
                public void onSubscriptionSucceeded(String channelName) {
                    subscribed.complete(channelName);
                }

                @Override
                public void onEvent(PusherEvent event) {
                    events.add(event);
                }
            }, "created");
            assertThat(subscribed.get(10, TimeUnit.SECONDS)).isEqualTo("orders");
            for (int i = 0; i < 50; i++) {
                server.publish("orders", "created", "{\"seq\":" + i + "}", null);
            }
            List<String> received = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                PusherEvent event = OfficialClient.next(events);
                assertThat(event.getChannelName()).isEqualTo("orders");
                received.add(event.getData());
            }
            assertThat(received).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 50).mapToObj(i -> "{\"seq\":" + i + "}").toList());
            assertThat(channel.isSubscribed()).isTrue();
        }
    }

    @Test
    void reportsAnUnknownKeyAsError4001() {
        assertThatThrownBy(() -> OfficialClient.connect("no-such-key", server.port))
                .hasStackTraceContaining("connection refused: 4001");
    }
}
