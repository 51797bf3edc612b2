package io.herald.core.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.config.HttpServerConfiguration;
import io.herald.core.testing.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The guard against slow and hostile HTTP clients, on a bare Reactor Netty server customised by
 * the very bean every Herald service gets ({@link HttpServerConfiguration}), with tiny timeouts.
 */
class HttpConnectionGuardTest {

    static final Duration HEADER_READ_TIMEOUT = Duration.ofMillis(400);
    static final Duration IDLE_TIMEOUT = Duration.ofMillis(400);
    static DisposableServer server;

    @BeforeAll
    static void start() {
        HttpServerProperties limits = new HttpServerProperties(HEADER_READ_TIMEOUT, IDLE_TIMEOUT, false, true);
        HttpServer http = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/hello", (request, response) -> response.sendString(Mono.just("hi")))
                        .ws("/ws", (in, out) -> out.sendString(in.receive().asString())));
        server = new HttpServerConfiguration().heraldHttpConnectionGuard(limits).apply(http).bindNow();
    }

    @AfterAll
    static void stop() {
        server.disposeNow();
    }

    @Test
    void cutsAClientThatTricklesItsHeaders() throws IOException {
        String response = RawHttp.trickleHeaders(server.port(), "/hello", Duration.ofMillis(100));
        RawHttp.assertHeraldError(response, 408);
    }

    @Test
    void closesAConnectionThatSendsNoRequest() throws IOException {
        try (Socket socket = connect()) {
            assertThat(RawHttp.readUntilClosed(socket)).isEmpty();
        }
    }

    @Test
    void servesARequestThenClosesTheKeptAliveConnectionWhenIdle() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = RawHttp.readUntilClosed(socket);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("hi");
        }
    }

    @Test
    void leavesAnUpgradedWebSocketOpenLongAfterTheIdleTimeout() throws Exception {
        CompletableFuture<String> echo = new CompletableFuture<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        echo.complete(data.toString());
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.completeExceptionally(error);
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            // Idle, as a WebSocket between messages is, for several times both timeouts.
            Thread.sleep(IDLE_TIMEOUT.plus(HEADER_READ_TIMEOUT).multipliedBy(3).toMillis());
            assertThat(closed).isNotDone();
            socket.sendText("still here", true).get(10, TimeUnit.SECONDS);
            assertThat(echo.get(10, TimeUnit.SECONDS)).isEqualTo("still here");
        }
        finally {
            socket.abort();
        }
    }

    @Test
    void answersATooLongUriWith414AndHeraldsErrorBody() throws IOException {
        RawHttp.assertHeraldError(RawHttp.exchange(server.port(), RawHttp.longUriRequest(10_000)), 414);
    }

    @Test
    void answersTooLargeHeadersWith431AndHeraldsErrorBody() throws IOException {
        RawHttp.assertHeraldError(RawHttp.exchange(server.port(), RawHttp.hugeHeaderRequest("/hello", 20_000)), 431);
    }

    @Test
    void answersAnUnparseableRequestWith400AndHeraldsErrorBody() throws IOException {
        RawHttp.assertHeraldError(RawHttp.exchange(server.port(), "GET /hello HTTP/1.1\r\nHost localhost no colon\r\n\r\n"),
                400);
    }

    static Socket connect() throws IOException {
        return RawHttp.connect(server.port());
    }
}
