package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket endpoint is a Reactor Netty route below Spring's dispatcher
 * ({@code PusherWebSocketRoute}): what it answers to requests that are not a good handshake is
 * what Spring's {@code HandshakeWebSocketService} answered, everything else still reaches
 * Spring, and messages a client sends in fragments are joined as Spring's session joined them.
 * The Pusher refusals (4001 … 4008) are {@link EdgeProtocolTest}'s.
 */
class WebSocketRouteTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

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
    void anAppPathThatIsNotAHandshakeIsABadRequestAsItWasUnderSpring() throws Exception {
        assertThat(statusOf("GET /app/" + EdgeTestServer.KEY + "?protocol=7 HTTP/1.1\r\nHost: x\r\n\r\n"))
                .isEqualTo(400);
        // Upgrade asked for, but without the key the handshake needs.
        assertThat(statusOf("GET /app/" + EdgeTestServer.KEY + "?protocol=7 HTTP/1.1\r\nHost: x\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")).isEqualTo(400);
    }

    @Test
    void aHandshakeWithAnotherMethodIsRefusedWith405() throws Exception {
        assertThat(statusOf("POST /app/" + EdgeTestServer.KEY + "?protocol=7 HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 0\r\n\r\n")).isEqualTo(405);
    }

    @Test
    void anUnsupportedWebSocketVersionIsAnswered426ByTheHandshaker() throws Exception {
        assertThat(statusOf("GET /app/" + EdgeTestServer.KEY + "?protocol=7 HTTP/1.1\r\nHost: x\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + wsKey() + "\r\n"
                + "Sec-WebSocket-Version: 99\r\n\r\n")).isEqualTo(426);
    }

    @Test
    void plainRequestsToOtherPathsStillReachSpring() throws Exception {
        assertThat(statusOf("GET /actuator/health HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(200);
        assertThat(statusOf("GET /app HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(404);
    }

    @Test
    void aMessageSentInFragmentsIsJoinedBeforeItIsRead() throws Exception {
        BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        StringBuilder partial = new StringBuilder();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(server.appUrl()), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            texts.add(partial.toString());
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        try {
            assertThat(texts.poll(30, TimeUnit.SECONDS)).contains("pusher:connection_established");
            ws.sendText("{\"event\":\"pusher:pi", false).get(30, TimeUnit.SECONDS);
            ws.sendText("ng\",\"data\":{}}", true).get(30, TimeUnit.SECONDS);
            assertThat(texts.poll(30, TimeUnit.SECONDS)).contains("pusher:pong");
        }
        finally {
            ws.abort();
        }
    }

    @Test
    void aBinaryMessageSentInFragmentsIsRefusedOnce() throws Exception {
        BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(server.appUrl()), collecting(texts, new CompletableFuture<>()))
                .get(30, TimeUnit.SECONDS);
        try {
            assertThat(texts.poll(30, TimeUnit.SECONDS)).contains("pusher:connection_established");
            ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2}), false).get(30, TimeUnit.SECONDS);
            ws.sendBinary(ByteBuffer.wrap(new byte[] {3}), false).get(30, TimeUnit.SECONDS);
            ws.sendBinary(ByteBuffer.wrap(new byte[] {4}), true).get(30, TimeUnit.SECONDS);
            ws.sendText("{\"event\":\"pusher:ping\",\"data\":{}}", true).get(30, TimeUnit.SECONDS);
            // replies come in order: one refusal for the whole message, then the pong
            assertThat(texts.poll(30, TimeUnit.SECONDS)).contains("pusher:error").contains("Binary");
            assertThat(texts.poll(30, TimeUnit.SECONDS)).contains("pusher:pong");
        }
        finally {
            ws.abort();
        }
    }

    @Test
    void aMessageWhoseFragmentsTogetherPassTheFrameLimitIsClosedWith1009() throws Exception {
        BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(server.appUrl()), collecting(texts, closeCode)).get(30, TimeUnit.SECONDS);
        try {
            assertThat(texts.poll(30, TimeUnit.SECONDS)).contains("pusher:connection_established");
            double before = server.closed(1009);
            // each fragment fits herald.edge.max-frame-size (64KB by default), the message does not
            String part = "x".repeat(40_000);
            ws.sendText("{\"event\":\"pusher:ping\",\"data\":\"" + part, false).get(30, TimeUnit.SECONDS);
            // the server may have closed already: whether this last fragment is still sent does not matter
            ws.sendText(part + "\"}", true).exceptionally(ex -> null).get(30, TimeUnit.SECONDS);
            assertThat(closeCode.get(30, TimeUnit.SECONDS)).isEqualTo(1009);
            server.awaitClosed(1009, before + 1);
            assertThat(texts).noneMatch(text -> text.contains("pusher:pong"));
        }
        finally {
            ws.abort();
        }
    }

    /** A listener that joins each message's fragments into {@code texts} and completes {@code closeCode} with the close's code. */
    private static WebSocket.Listener collecting(BlockingQueue<String> texts, CompletableFuture<Integer> closeCode) {
        StringBuilder partial = new StringBuilder();
        return new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    texts.add(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closeCode.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closeCode.completeExceptionally(error);
            }
        };
    }

    @Test
    void aRefusedHandshakeIsCountedWithItsCode() {
        double before = server.closed(4001);
        try (RawClient client = RawClient.connect(server.url("/app/no-such-key?protocol=7"))) {
            assertThat(client.awaitClose()).isEqualTo(4001);
        }
        await().atMost(WAIT).until(() -> server.closed(4001) >= before + 1);
    }

    /** The status code of the answer to a raw HTTP request. */
    private static int statusOf(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port)) {
            socket.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) >= 0 && b != '\r';) {
                line.append((char) b);
            }
            assertThat(line.toString()).startsWith("HTTP/1.1 ");
            return Integer.parseInt(line.substring(9, 12));
        }
    }

    private static String wsKey() {
        return java.util.Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    }
}
