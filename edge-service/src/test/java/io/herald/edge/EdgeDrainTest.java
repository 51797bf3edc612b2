package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A draining edge refuses readiness and bounces new connections at once, and keeps the channel-state
 * records of the connections it told to reconnect for the handover, then leaves them.
 */
class EdgeDrainTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void refusesReadinessBouncesNewConnectionsAndKeepsTheLeavesForTheHandover() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String prefix = RedisServer.uniquePrefix();
            // The other node of the cluster: it reads the channel state after the draining one stopped.
            EdgeTestServer other = new EdgeTestServer(redis, Map.of("herald.redis.key-prefix", prefix));
            EdgeTestServer edge = new EdgeTestServer(redis, Map.of("herald.redis.key-prefix", prefix,
                    "herald.edge.drain-period", "0s", "herald.edge.drain-timeout", "5s",
                    "herald.edge.drain-handover", "4s"));
            CompletableFuture<Void> closing = null;
            try (RawClient client = RawClient.connect(edge.appUrl())) {
                client.established();
                client.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
                client.next("pusher_internal:subscription_succeeded");
                ChannelState state = other.bean(ChannelState.class);
                ChannelKey news = new ChannelKey(EdgeTestServer.APP_ID, "news");
                assertThat(state.subscriptionCount(news).block(Duration.ofSeconds(10))).isEqualTo(1);
                assertThat(status(edge, "/actuator/health/readiness")).isEqualTo(200);
                EdgeDrain drain = edge.bean(EdgeDrain.class);

                closing = CompletableFuture.runAsync(edge::close);
                assertThat(client.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4200);
                assertThat(client.awaitClose()).isEqualTo(4200);
                // Closed and gone from the local fan-out, but still recorded while its client moves.
                await().atMost(Duration.ofSeconds(30)).until(() -> drain.pendingLeaves() == 1);
                assertThat(state.subscriptionCount(news).block(Duration.ofSeconds(10))).isEqualTo(1);
                // A connection that still arrives is bounced: established (the official client resets its
                // backoff), then told at once to reconnect elsewhere.
                try (RawClient late = RawClient.connect(edge.appUrl())) {
                    late.established();
                    assertThat(late.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4200);
                    assertThat(late.awaitClose()).isEqualTo(4200);
                }
                assertThat(status(edge, "/actuator/health/readiness")).isEqualTo(503);
                assertThat(status(edge, "/actuator/health")).isEqualTo(503);

                closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
                // The client did not come back within the handover: its leave was recorded before the node stopped.
                assertThat(drain.pendingLeaves()).isZero();
                assertThat(state.subscriptionCount(news).block(Duration.ofSeconds(10))).isZero();
            }
            finally {
                if (closing == null) {
                    edge.close();
                }
                other.close();
            }
        }
    }

    @Test
    void aClientThatClosesWith4200ItselfIsMovingAndItsLeavesWaitForTheHandover() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            EdgeTestServer edge = new EdgeTestServer(redis, Map.of("herald.redis.key-prefix", RedisServer.uniquePrefix(),
                    "herald.edge.drain-handover", "20s"));
            try (RawClient moving = RawClient.connect(edge.appUrl()); RawClient leaving = RawClient.connect(edge.appUrl())) {
                ChannelState state = edge.bean(ChannelState.class);
                EdgeDrain drain = edge.bean(EdgeDrain.class);
                ChannelKey news = new ChannelKey(EdgeTestServer.APP_ID, "news");
                ChannelKey other = new ChannelKey(EdgeTestServer.APP_ID, "other");
                moving.established();
                moving.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
                moving.next("pusher_internal:subscription_succeeded");
                leaving.established();
                leaving.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"other\"}}");
                leaving.next("pusher_internal:subscription_succeeded");

                // A gateway that drains closes its clients' connections with 4200 (docs/drain.md, "Gateway").
                assertThat(moving.closeWith(4200, "Gateway shutting down, reconnect")).isEqualTo(4200);
                await().atMost(Duration.ofSeconds(30)).until(() -> drain.pendingLeaves() == 1);
                assertThat(state.subscriptionCount(news).block(Duration.ofSeconds(10))).isEqualTo(1);
                assertThat(drain.draining()).isFalse();
                // Any other close is a leave at once.
                assertThat(leaving.closeNormally()).isEqualTo(1000);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> state.subscriptionCount(other).block(Duration.ofSeconds(10)) == 0);
                assertThat(drain.pendingLeaves()).isEqualTo(1);
                assertThat(state.subscriptionCount(news).block(Duration.ofSeconds(10))).isEqualTo(1);
            }
            finally {
                edge.close();
            }
        }
    }

    private static int status(EdgeTestServer edge, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
