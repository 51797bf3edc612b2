package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.channel.PrivateChannel;
import com.pusher.client.channel.PrivateChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.rest.data.Result;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;

/**
 * The live debug console in the standalone server (every role in one process, in memory): what
 * official clients and the official server library do appears in the app's event stream, read
 * with WebClient as a browser's EventSource would, filtered as asked, and only for an operator.
 */
class StandaloneConsoleTest {

    private static final String TOKEN = "console-test-admin-token";
    private static final String PATH = "/dashboard/api/apps/demo-app/console";
    private static StandaloneServer server;
    private static WebClient http;
    private static com.sun.net.httpserver.HttpServer receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        receiver.start();
        String hooks = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks?token=receiver-secret";
        // The demo app as shipped, with client events on (a list given on the command line replaces it whole).
        server = new StandaloneServer(Map.of("herald.auth.admin-token", TOKEN,
                "herald.apps[0].id", "demo-app", "herald.apps[0].key", "demo-key",
                "herald.apps[0].secret", "demo-secret", "herald.apps[0].client-events", "true",
                "herald.apps[0].webhooks[0].url", hooks, "herald.apps[0].webhooks[0].events", "channel_occupied",
                "herald.debug.heartbeat-interval", "300ms"));
        http = WebClient.create(server.http(""));
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.stop(0);
    }

    /** An open console: every server-sent event it received, comments included; ready once "watching" came. */
    private record Console(BlockingQueue<ServerSentEvent<String>> received, Disposable stream) implements AutoCloseable {

        static Console open(String query) throws InterruptedException {
            BlockingQueue<ServerSentEvent<String>> received = new LinkedBlockingQueue<>();
            Disposable stream = http.get().uri(PATH + query)
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .retrieve()
                    .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
                    })
                    .subscribe(received::add);
            ServerSentEvent<String> first = received.poll(10, TimeUnit.SECONDS);
            assertThat(first).as("the opening comment").isNotNull();
            assertThat(first.comment()).isEqualTo("watching");
            return new Console(received, stream);
        }

        /** The next event (not a comment) of {@code type}, skipping others; fails after 10 s. */
        JsonNode next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                ServerSentEvent<String> event = received.poll(100, TimeUnit.MILLISECONDS);
                if (event != null && event.data() != null && type.equals(event.event())) {
                    JsonNode node = PusherCodec.json().readTree(event.data());
                    assertThat(node.get("type").asString()).isEqualTo(type);
                    assertThat(node.get("time").asString()).isNotEmpty();
                    return node;
                }
            }
            throw new AssertionError("No " + type + " event within 10 s");
        }

        /** The next event that is not a comment. */
        ServerSentEvent<String> nextEvent() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                ServerSentEvent<String> event = received.poll(100, TimeUnit.MILLISECONDS);
                if (event != null && event.data() != null) {
                    return event;
                }
            }
            throw new AssertionError("No event within 10 s");
        }

        @Override
        public void close() {
            stream.dispose();
        }
    }

    @Test
    void connectionsSubscriptionsApiMessagesAndClientEventsAppearAsTheyHappen() throws Exception {
        try (Console console = Console.open("")) {
            com.pusher.rest.Pusher publisher = server.publisher();
            OfficialClient client = OfficialClient.connect("demo-key", server.port,
                    options -> options.setChannelAuthorizer((channel, socket) -> publisher.authenticate(socket, channel)));
            String socketId = client.socketId;
            JsonNode opened = console.next("connection_opened");
            assertThat(opened.get("socket_id").asString()).isEqualTo(socketId);

            ChannelRecorder recorder = new ChannelRecorder();
            client.pusher.subscribe("console-news", recorder, "headline");
            recorder.subscribed.get(10, TimeUnit.SECONDS);
            JsonNode subscribed = console.next("subscribed");
            assertThat(subscribed.get("channel").asString()).isEqualTo("console-news");
            assertThat(subscribed.get("socket_id").asString()).isEqualTo(socketId);

            String big = "x".repeat(3000);
            Result result = publisher.trigger(List.of("console-news"), "headline", Map.of("text", big), socketId);
            assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
            JsonNode message = console.next("api_message");
            assertThat(message.get("channel").asString()).isEqualTo("console-news");
            assertThat(message.get("event").asString()).isEqualTo("headline");
            assertThat(message.get("socket_id").asString()).as("the excluded socket").isEqualTo(socketId);
            assertThat(message.get("data").asString()).startsWith("{\"text\":\"xxx").hasSize(1024);
            assertThat(message.get("truncated").asBoolean()).isTrue();

            CompletableFuture<String> privateSubscribed = new CompletableFuture<>();
            PrivateChannel chat = client.pusher.subscribePrivate("private-console-chat",
                    new PrivateChannelEventListener() {
                        @Override
                        public void onAuthenticationFailure(String text, Exception e) {
                            privateSubscribed.completeExceptionally(new AssertionError(text, e));
                        }

                        @Override
                        public void onSubscriptionSucceeded(String channelName) {
                            privateSubscribed.complete(channelName);
                        }

                        @Override
                        public void onEvent(PusherEvent event) {
                        }
                    });
            privateSubscribed.get(10, TimeUnit.SECONDS);
            chat.trigger("client-typing", "{\"who\":\"me\"}");
            JsonNode clientEvent = console.next("client_event");
            assertThat(clientEvent.get("channel").asString()).isEqualTo("private-console-chat");
            assertThat(clientEvent.get("event").asString()).isEqualTo("client-typing");
            assertThat(clientEvent.get("data").asString()).isEqualTo("{\"who\":\"me\"}");
            assertThat(clientEvent.get("socket_id").asString()).isEqualTo(socketId);

            client.pusher.unsubscribe("console-news");
            assertThat(console.next("unsubscribed").get("channel").asString()).isEqualTo("console-news");

            client.close();
            JsonNode closed = console.next("connection_closed");
            assertThat(closed.get("socket_id").asString()).isEqualTo(socketId);
            assertThat(closed.get("code").asInt()).isPositive();
            publisher.close();
        }
    }

    @Test
    void filtersByTypeAndChannelPrefixAndHeartbeatsKeepTheStreamAlive() throws Exception {
        try (Console filtered = Console.open("?types=api_message,subscribed&channel=orders-")) {
            com.pusher.rest.Pusher publisher = server.publisher();
            try (OfficialClient client = OfficialClient.connect("demo-key", server.port)) {
                ChannelRecorder other = new ChannelRecorder();
                client.pusher.subscribe("news-filtered", other, "e");
                other.subscribed.get(10, TimeUnit.SECONDS);
                ChannelRecorder orders = new ChannelRecorder();
                client.pusher.subscribe("orders-eu", orders, "e");
                orders.subscribed.get(10, TimeUnit.SECONDS);
                assertThat(publisher.trigger("news-filtered", "e", Map.of()).getHttpStatus()).isEqualTo(200);
                assertThat(publisher.trigger("orders-eu", "paid", Map.of("id", 7)).getHttpStatus()).isEqualTo(200);

                // In order, and nothing else: no connection_opened, nothing on news-filtered.
                ServerSentEvent<String> first = filtered.nextEvent();
                assertThat(first.event()).isEqualTo("subscribed");
                assertThat(first.data()).contains("\"channel\":\"orders-eu\"");
                ServerSentEvent<String> second = filtered.nextEvent();
                assertThat(second.event()).isEqualTo("api_message");
                assertThat(second.data()).contains("\"channel\":\"orders-eu\"").contains("\"event\":\"paid\"");
            }
            publisher.close();
            // A heartbeat comment comes while nothing happens (every 300 ms here).
            ServerSentEvent<String> heartbeat;
            do {
                heartbeat = filtered.received().poll(10, TimeUnit.SECONDS);
                assertThat(heartbeat).as("a heartbeat").isNotNull();
            }
            while (!"heartbeat".equals(heartbeat.comment()));
        }
    }

    @Test
    void eachWebhookAttemptShowsItsEndpointWithoutQueryItsStatusAndOutcome() throws Exception {
        try (Console console = Console.open("?types=webhook_attempt");
                OfficialClient client = OfficialClient.connect("demo-key", server.port)) {
            ChannelRecorder recorder = new ChannelRecorder();
            client.pusher.subscribe("console-hooked", recorder, "e"); // channel_occupied
            recorder.subscribed.get(10, TimeUnit.SECONDS);
            JsonNode attempt = console.next("webhook_attempt");
            assertThat(attempt.get("url").asString())
                    .isEqualTo("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks");
            assertThat(attempt.get("status").asInt()).isEqualTo(202);
            assertThat(attempt.get("outcome").asString()).isEqualTo("delivered");
            assertThat(attempt.toString()).doesNotContain("receiver-secret").doesNotContain("demo-secret");
        }
    }

    @Test
    void onlyAnOperatorMayWatchAndUnknownTypesAreRefused() {
        assertThat(http.get().uri(PATH).exchangeToMono(r -> reactor.core.publisher.Mono.just(r.statusCode().value()))
                .block(Duration.ofSeconds(30))).isEqualTo(401);
        assertThat(http.get().uri(PATH).header(HttpHeaders.AUTHORIZATION, "Bearer wrong")
                .exchangeToMono(r -> reactor.core.publisher.Mono.just(r.statusCode().value()))
                .block(Duration.ofSeconds(30))).isEqualTo(401);
        assertThat(http.get().uri(PATH + "?types=api_message,nonsense").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .exchangeToMono(r -> reactor.core.publisher.Mono.just(r.statusCode().value()))
                .block(Duration.ofSeconds(30))).isEqualTo(400);
        assertThat(http.get().uri("/dashboard/api/apps/no-such-app/console")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .exchangeToMono(r -> reactor.core.publisher.Mono.just(r.statusCode().value()))
                .block(Duration.ofSeconds(30))).isEqualTo(404);
    }
}
