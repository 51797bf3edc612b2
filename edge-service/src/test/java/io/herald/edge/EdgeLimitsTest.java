package io.herald.edge;

import io.herald.core.testing.RawClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.metrics.HeraldMeters;
import io.herald.core.testing.RedisServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Limits that protect the node: slow readers, silent clients, shutdown. */
class EdgeLimitsTest {

    static RedisServer redis;
    static EdgeTestServer server;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        server = new EdgeTestServer(redis, Map.of("herald.edge.max-outbound-messages", 16,
                "herald.edge.activity-timeout", "1s", "herald.edge.pong-timeout", "1s"));
    }

    @AfterAll
    static void stop() {
        server.close();
        redis.close();
    }

    @Test
    void cutsOffAClientThatStopsReadingInsteadOfBufferingWithoutBoundAndCountsWhatItDropped() throws IOException {
        ConnectionRegistry registry = server.bean(ConnectionRegistry.class);
        try (RawClient healthy = RawClient.connect(server.appUrl()); Socket stalled = new Socket()) {
            healthy.established();
            healthy.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"firehose\"}}");
            healthy.next("pusher_internal:subscription_succeeded");
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new java.net.InetSocketAddress("127.0.0.1", server.port));
            OutputStream out = stalled.getOutputStream();
            handshake(stalled, out);
            writeMaskedText(out, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"firehose\"}}");
            await().atMost(Duration.ofSeconds(60)).until(() -> server.bean(LocalFanout.class).localSubscribers(
                    new io.herald.core.broker.ChannelKey(EdgeTestServer.APP_ID, "firehose")) == 2);
            int before = registry.size();
            double overCapacityBefore = server.closed(4100);
            String payload = "x".repeat(8000);
            // The stalled socket never reads; keep publishing until the server gives up on it.
            for (int i = 0; i < 20_000 && registry.size() == before; i++) {
                server.publish("firehose", "big", payload, null);
                if (i % 100 == 0) {
                    // The healthy client keeps reading, so its queue never fills.
                    healthy.frames.clear();
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> registry.size() == before - 1);
            Counter dropped = server.bean(MeterRegistry.class).find(HeraldMeters.MESSAGES_DROPPED.meterName())
                    .tag(HeraldMeters.APP_ID, EdgeTestServer.APP_ID).counter();
            assertThat(dropped).as("herald.messages.dropped is registered").isNotNull();
            // The frame that did not fit and the 16 the full queue held, less any Netty took meanwhile.
            assertThat(dropped.count()).isBetween(2.0, 17.0);
            server.awaitClosed(4100, overCapacityBefore + 1);
            // The healthy subscriber is still connected and served.
            healthy.frames.clear();
            server.publish("firehose", "after", "ok", null);
            assertThat(healthy.next("after").get("data").asString()).isEqualTo("ok");
            assertThat(healthy.closeCode).isNotDone();
        }
    }

    @Test
    void pingsSilentClientsAndClosesThoseThatDoNotAnswerWith4201() {
        double pongMissedBefore = server.closed(4201);
        try (RawClient silent = RawClient.connect(server.appUrl()); RawClient lively = RawClient.connect(server.appUrl())) {
            silent.established();
            lively.established();
            assertThat(silent.next().get("event").asString()).isEqualTo("pusher:ping");
            CompletableFuture<Void> answering = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 3; i++) {
                    lively.next("pusher:ping");
                    lively.send("{\"event\":\"pusher:pong\",\"data\":{}}");
                }
            });
            assertThat(silent.awaitClose()).isEqualTo(4201);
            answering.join();
            assertThat(lively.closeCode).isNotDone();
            server.awaitClosed(4201, pongMissedBefore + 1);
        }
    }

    @Test
    void tellsEveryClientToReconnectWhenTheNodeShutsDown() {
        try (RedisServer ownRedis = RedisServer.start()) {
            EdgeTestServer own = new EdgeTestServer(ownRedis, Map.of("herald.edge.drain-period", "1s"));
            List<RawClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawClient client = RawClient.connect(own.appUrl());
                    client.established();
                    clients.add(client);
                }
                CompletableFuture<Void> closing = CompletableFuture.runAsync(own::close);
                for (RawClient client : clients) {
                    JsonNode error = client.next("pusher:error");
                    assertThat(error.get("data").get("code").asInt()).isEqualTo(4200);
                    assertThat(client.awaitClose()).isEqualTo(4200);
                }
                closing.join();
                // Counted as they left, even while the node shut down (the meters outlive the context).
                own.awaitClosed(4200, 3);
            }
            finally {
                clients.forEach(RawClient::close);
            }
        }
    }

    static void handshake(Socket socket, OutputStream out) throws IOException {
        String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        out.write(("GET /app/" + EdgeTestServer.KEY + "?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder headers = new StringBuilder();
        while (!headers.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during handshake: " + headers);
            }
            headers.append((char) b);
        }
        assertThat(headers.toString()).startsWith("HTTP/1.1 101");
    }

    static void writeMaskedText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = { 1, 2, 3, 4 };
        out.write(0x81);
        out.write(0x80 | payload.length); // short frames only (< 126 bytes)
        out.write(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        out.flush();
    }
}
