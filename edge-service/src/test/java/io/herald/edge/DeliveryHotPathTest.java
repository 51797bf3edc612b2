package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import io.herald.core.broker.ChannelKey;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The delivery hot path (issue 10): frames written to the Netty channel directly, grouped per
 * event loop, bounded per connection in bytes.
 */
class DeliveryHotPathTest {

    static RedisServer redis;
    static EdgeTestServer server;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        // The frame bound is far away, so only the byte bound can cut a client off here.
        server = new EdgeTestServer(redis, Map.of("herald.edge.max-outbound-bytes", "64KB",
                "herald.edge.max-outbound-messages", 100_000));
    }

    @AfterAll
    static void stop() {
        server.close();
        redis.close();
    }

    /**
     * A raw socket, because the client must stop reading: the official client reads on its own
     * thread whatever its listener does, and a blocked listener would still let its socket buffer
     * drain a little; a socket nobody reads from, with a small receive buffer, is the slow
     * consumer exactly.
     */
    @Test
    void closesAClientThatStopsReadingWith4100OnceItsQueuedBytesPassTheBound() throws Exception {
        try (RawClient healthy = RawClient.connect(server.appUrl()); Socket stalled = new Socket()) {
            healthy.established();
            healthy.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"bytes\"}}");
            healthy.next("pusher_internal:subscription_succeeded");
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port));
            OutputStream out = stalled.getOutputStream();
            EdgeLimitsTest.handshake(stalled, out);
            EdgeLimitsTest.writeMaskedText(out, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"bytes\"}}");
            LocalFanout fanout = server.bean(LocalFanout.class);
            ChannelKey channel = new ChannelKey(EdgeTestServer.APP_ID, "bytes");
            await().atMost(Duration.ofSeconds(30)).until(() -> fanout.localSubscribers(channel) == 2);
            double overCapacityBefore = server.closed(4100);
            String payload = "y".repeat(8000);
            // Other tests' connections may still be leaving: watch this channel, not the registry's size.
            for (int i = 0; i < 20_000 && fanout.localSubscribers(channel) == 2; i++) {
                server.publish("bytes", "big", payload, null);
                if (i % 100 == 0) {
                    healthy.frames.clear();
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> fanout.localSubscribers(channel) == 1);
            server.awaitClosed(4100, overCapacityBefore + 1);
            Counter dropped = server.bean(MeterRegistry.class).find(HeraldMeters.MESSAGES_DROPPED.meterName())
                    .tag(HeraldMeters.APP_ID, EdgeTestServer.APP_ID).counter();
            assertThat(dropped).isNotNull();
            // The frame that did not fit and the ones queued: 64 KB hold at most 8 frames of 8 KB.
            assertThat(dropped.count()).isBetween(2.0, 10.0);
            healthy.frames.clear();
            server.publish("bytes", "after", "ok", null);
            assertThat(healthy.next("after").get("data").asString()).isEqualTo("ok");
            assertThat(healthy.closeCode).isNotDone();
        }
    }

    @Test
    void deliversEveryMessageExactlyOnceAndInOrderToSubscribersOnSeveralEventLoops() {
        ConnectionRegistry registry = server.bean(ConnectionRegistry.class);
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                RawClient client = RawClient.connect(server.appUrl());
                client.established();
                client.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"spread\"}}");
                client.next("pusher_internal:subscription_succeeded");
                clients.add(client);
            }
            Set<Object> loops = registry.connections().stream().map(c -> (Object) c.transport().eventLoop())
                    .collect(Collectors.toSet());
            assertThat(loops).as("the subscribers' event loops").hasSizeGreaterThan(1);
            int messages = 200;
            for (int i = 0; i < messages; i++) {
                server.publish("spread", "seq", Integer.toString(i), null);
            }
            server.publish("spread", "end", "", null);
            List<String> expected = IntStream.range(0, messages).mapToObj(Integer::toString).toList();
            for (RawClient client : clients) {
                List<String> received = new ArrayList<>();
                for (String event = ""; !event.equals("end");) {
                    var frame = client.next();
                    event = frame.get("event").asString();
                    if (event.equals("seq")) {
                        received.add(frame.get("data").asString());
                    }
                }
                assertThat(received).containsExactlyElementsOf(expected);
            }
        }
        finally {
            clients.forEach(RawClient::close);
        }
    }

    /** Pre-encoded frames are only valid without permessage-deflate: a client offering it must not get it. */
    @Test
    void doesNotNegotiatePermessageDeflateSoEveryConnectionGetsThePreEncodedFrames() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port)) {
            String key = java.util.Base64.getEncoder().encodeToString("fedcba9876543210".getBytes());
            OutputStream out = socket.getOutputStream();
            out.write(("GET /app/" + EdgeTestServer.KEY + "?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").getBytes());
            out.flush();
            java.io.InputStream in = socket.getInputStream();
            StringBuilder headers = new StringBuilder();
            while (!headers.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("the handshake answer, so far: %s", headers).isNotNegative();
                headers.append((char) b);
            }
            assertThat(headers.toString()).startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("Sec-WebSocket-Extensions");
        }
        try (RawClient client = RawClient.connect(server.appUrl())) {
            client.established();
            assertThat(server.bean(ConnectionRegistry.class).connections())
                    .allSatisfy(c -> assertThat(((io.herald.edge.web.WebSocketTransport) c.transport())
                            .writesPreEncodedFrames()).isTrue());
        }
    }

    @Test
    void theOfficialClientDecodesDirectlyWrittenFramesOfEveryHeaderLength() throws Exception {
        try (OfficialClient client = OfficialClient.connect(EdgeTestServer.KEY, server.port)) {
            CompletableFuture<String> subscribed = new CompletableFuture<>();
            BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();
            client.pusher.subscribe("sizes", new ChannelEventListener() {
                @Override
                public void onSubscriptionSucceeded(String channelName) {
                    subscribed.complete(channelName);
                }

                @Override
                public void onEvent(PusherEvent event) {
                    events.add(event);
                }
            }, "sized");
            assertThat(subscribed.get(10, TimeUnit.SECONDS)).isEqualTo("sizes");
            // Frame payloads below 126 bytes (7-bit length), up to 65,535 (16-bit) and beyond (64-bit).
            List<String> sent = new ArrayList<>();
            for (int length : new int[] { 1, 60, 200, 60_000, 70_000 }) {
                String data = "d".repeat(length);
                sent.add(data);
                server.publish("sizes", "sized", data, null);
            }
            List<String> received = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                received.add(OfficialClient.next(events).getData());
            }
            assertThat(received).containsExactlyElementsOf(sent);
        }
    }
}
