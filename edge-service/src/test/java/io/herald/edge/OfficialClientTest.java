package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.Channel;
import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
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

    private static PusherOptions options() {
        return new PusherOptions().setHost("127.0.0.1").setWsPort(server.port).setUseTLS(false);
    }

    @Test
    void receivesEveryEventInOrder() throws Exception {
        Pusher pusher = new Pusher(EdgeTestServer.KEY, options());
        CompletableFuture<String> connected = new CompletableFuture<>();
        pusher.connect(new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
                if (change.getCurrentState() == ConnectionState.CONNECTED) {
                    connected.complete(pusher.getConnection().getSocketId());
                }
            }

            @Override
            public void onError(String message, String code, Exception e) {
                connected.completeExceptionally(new AssertionError(code + " " + message, e));
            }
        });
        try {
            assertThat(connected.get(10, TimeUnit.SECONDS)).matches("\\d+\\.\\d+");
            CompletableFuture<String> subscribed = new CompletableFuture<>();
            BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();
            Channel channel = pusher.subscribe("orders", new ChannelEventListener() {
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
                PusherEvent event = events.poll(10, TimeUnit.SECONDS);
                assertThat(event).as("event %d", i).isNotNull();
                assertThat(event.getChannelName()).isEqualTo("orders");
                received.add(event.getData());
            }
            assertThat(received).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 50).mapToObj(i -> "{\"seq\":" + i + "}").toList());
            assertThat(channel.isSubscribed()).isTrue();
        }
        finally {
            pusher.disconnect();
        }
    }

    @Test
    void reportsAnUnknownKeyAsError4001() throws Exception {
        Pusher pusher = new Pusher("no-such-key", options());
        CompletableFuture<String> error = new CompletableFuture<>();
        pusher.connect(new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
            }

            @Override
            public void onError(String message, String code, Exception e) {
                error.complete(code);
            }
        });
        try {
            assertThat(error.get(10, TimeUnit.SECONDS)).isEqualTo("4001");
        }
        finally {
            pusher.disconnect();
        }
    }
}
