package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.testing.RawClient;
import io.herald.core.testing.RawHttp;
import io.herald.core.testing.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The edge's HTTP listener under slow and hostile clients ({@code herald.http.*}, tiny in this test). */
class SlowHttpClientsTest {

    static final Duration TIMEOUT = Duration.ofMillis(300);

    static RedisServer redis;
    static EdgeTestServer server;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        server = new EdgeTestServer(redis, Map.of("herald.http.header-read-timeout", TIMEOUT.toMillis() + "ms",
                "herald.http.idle-timeout", TIMEOUT.toMillis() + "ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
        redis.close();
    }

    @Test
    void cutsAClientThatTricklesTheHeadersOfAWebSocketHandshake() throws IOException {
        String response = RawHttp.trickleHeaders(server.port, "/app/" + EdgeTestServer.KEY + "?protocol=7",
                Duration.ofMillis(100));
        RawHttp.assertHeraldError(response, 408);
    }

    @Test
    void leavesAnUpgradedPusherConnectionOpenLongAfterTheHttpTimeouts() throws InterruptedException {
        try (RawClient client = RawClient.connect(server.appUrl())) {
            client.established();
            // Idle, as a Pusher connection is between messages, for many times the HTTP timeouts.
            Thread.sleep(TIMEOUT.multipliedBy(6).toMillis());
            assertThat(client.closeCode).isNotDone();
            client.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"after-idle\"}}");
            assertThat(client.next("pusher_internal:subscription_succeeded").get("channel").asString())
                    .isEqualTo("after-idle");
        }
    }

    @Test
    void answersATenKilobyteUriWith414AndHeraldsErrorBody() throws IOException {
        RawHttp.assertHeraldError(RawHttp.exchange(server.port, RawHttp.longUriRequest(10_000)), 414);
    }

    @Test
    void answersHugeHeadersWith431AndHeraldsErrorBody() throws IOException {
        RawHttp.assertHeraldError(RawHttp.exchange(server.port,
                RawHttp.hugeHeaderRequest("/app/" + EdgeTestServer.KEY + "?protocol=7", 20_000)), 431);
    }
}
