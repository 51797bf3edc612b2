package io.herald.publish.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.signature.Hmac;
import io.herald.core.signature.RequestSignature;
import io.herald.publish.PublishServiceApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The publish endpoints on the Reactor Netty route below Spring's dispatcher
 * ({@link PublishNettyRoutes}), called with the official pusher-http-java SDK and with hand-signed
 * requests: what they answer, what is delivered, what is counted, and that Spring's handler never
 * saw them (a {@link WebFilter} records every request that reaches it). Everything else still goes
 * to Spring.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishNettyRouteTest {

    static final String APP = "route-app";
    static final String KEY = "route-key";
    static final String SECRET = "route-secret-5e8a1f";
    static final JsonMapper json = JsonMapper.builder().build();

    /** Every path that reached Spring's WebFlux handler. */
    static final List<String> seenBySpring = new CopyOnWriteArrayList<>();

    final HttpClient http = HttpClient.newHttpClient();
    final List<Envelope> delivered = new CopyOnWriteArrayList<>();
    ConfigurableApplicationContext context;
    Broker.Node node;
    Pusher pusher;
    String baseUrl;

    @Configuration(proxyBeanMethods = false)
    static class SpringRequests {

        @Bean
        WebFilter recordingFilter() {
            return (exchange, chain) -> {
                seenBySpring.add(exchange.getRequest().getPath().value());
                return chain.filter(exchange);
            };
        }
    }

    @BeforeAll
    void start() {
        context = PublishServiceApplication.builder().sources(SpringRequests.class).run(
                "--server.port=0",
                "--herald.publish.max-request-size=2KB",
                "--herald.apps[0].id=" + APP, "--herald.apps[0].key=" + KEY, "--herald.apps[0].secret=" + SECRET);
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        baseUrl = "http://127.0.0.1:" + port;
        node = context.getBean(Broker.class).openNode(delivered::add);
        for (String channel : List.of("route-1", "route-2", "route-3")) {
            node.subscribe(new ChannelKey(APP, channel)).block(Duration.ofSeconds(30));
        }
        pusher = new Pusher(APP, KEY, SECRET);
        pusher.setHost("127.0.0.1:" + port);
        pusher.setEncrypted(false);
    }

    @AfterAll
    void stop() throws Exception {
        if (pusher != null) {
            pusher.close();
        }
        if (node != null) {
            node.close();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void aPublishIsAcceptedOnTheRouteAndDelivered() {
        double before = published();

        Result result = pusher.trigger("route-1", "greeting", Map.of("hello", "route"));

        assertThat(result.getHttpStatus()).isEqualTo(200);
        assertThat(result.getMessage()).isEqualTo("{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> frames().contains(
                "{\"event\":\"greeting\",\"channel\":\"route-1\",\"data\":\"{\\\"hello\\\":\\\"route\\\"}\"}"));
        assertThat(published()).isEqualTo(before + 1);
        assertThat(context.getBean(MeterRegistry.class).get("herald.publish.latency").tag("app_id", APP).timer()
                .count()).isPositive();
        assertThat(seenBySpring).noneMatch(path -> path.startsWith("/apps/"));
    }

    @Test
    void batchEventsArePublishedInOrderOnTheRoute() {
        Result result = pusher.trigger(List.of(new Event("route-2", "first", "1"), new Event("route-3", "second", "2")));

        assertThat(result.getHttpStatus()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> frames().containsAll(List.of(
                "{\"event\":\"first\",\"channel\":\"route-2\",\"data\":\"\\\"1\\\"\"}",
                "{\"event\":\"second\",\"channel\":\"route-3\",\"data\":\"\\\"2\\\"\"}")));
        assertThat(seenBySpring).noneMatch(path -> path.startsWith("/apps/"));
    }

    @Test
    void aBadSignatureIsRefusedWith401AndHeraldsErrorBody() throws Exception {
        Pusher wrong = new Pusher(APP, KEY, "not-the-secret");
        wrong.setHost(baseUrl.substring("http://".length()));
        wrong.setEncrypted(false);
        try {
            Result result = wrong.trigger("route-1", "e", "x");

            assertThat(result.getHttpStatus()).isEqualTo(401);
            assertError(result.getMessage(), 401, "Invalid signature");
        }
        finally {
            wrong.close();
        }
        assertThat(seenBySpring).noneMatch(path -> path.startsWith("/apps/"));
    }

    @Test
    void anExpiredTimestampIsRefusedWith401() throws Exception {
        String path = "/apps/" + APP + "/events";
        byte[] body = "{\"name\":\"e\",\"channel\":\"route-1\",\"data\":\"d\"}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = post(path, signedQuery(path, body, Instant.now().getEpochSecond() - 700), body);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertError(response.body(), 401, "Timestamp expired");
    }

    @Test
    void aTooLargeBodyIsRefusedWith413ByLengthAndWhileReadingAChunkedOne() throws Exception {
        Result result = pusher.trigger("route-1", "big", "x".repeat(4_000));

        assertThat(result.getHttpStatus()).isEqualTo(413);
        assertError(result.getMessage(), 413, "Request body too large: ");

        // No Content-Length: refused as the body arrives.
        String path = "/apps/" + APP + "/events";
        byte[] body = ("{\"name\":\"e\",\"channel\":\"route-1\",\"data\":\"" + "y".repeat(4_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(baseUrl + path + "?"
                        + signedQuery(path, body, Instant.now().getEpochSecond())))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(chunks(body))).build();
        HttpResponse<String> response = http.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertError(response.body(), 413, "Request body too large; the limit is 2048 bytes");
    }

    @Test
    void aChunkedBodyWithinTheLimitIsReadWhole() throws Exception {
        String path = "/apps/" + APP + "/events";
        byte[] body = ("{\"name\":\"chunked\",\"channel\":\"route-1\",\"data\":\"" + "z".repeat(1_500) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(baseUrl + path + "?"
                        + signedQuery(path, body, Instant.now().getEpochSecond())))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(chunks(body))).build();

        HttpResponse<String> response = http.send(chunked, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> frames().stream()
                .anyMatch(frame -> frame.startsWith("{\"event\":\"chunked\"") && frame.contains("z".repeat(1_500))));
    }

    @Test
    void whatTheRouteDoesNotClaimIsAnsweredBySpringAsBefore() throws Exception {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/apps/" + APP + "/events"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertError(get.body(), 405, "GET is not supported");

        HttpResponse<String> channels = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/apps/" + APP
                + "/channels")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(channels.statusCode()).isEqualTo(401);

        assertThat(seenBySpring).contains("/apps/" + APP + "/events", "/apps/" + APP + "/channels");
    }

    @Test
    void aContentTypeThatIsNoMediaTypeIsRefusedWith415() throws Exception {
        String path = "/apps/" + APP + "/events";
        byte[] body = "{\"name\":\"e\",\"channel\":\"route-1\",\"data\":\"d\"}".getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path + "?"
                        + signedQuery(path, body, Instant.now().getEpochSecond())))
                .header("Content-Type", "not a type").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(415);
        assertError(response.body(), 415, "Unsupported Content-Type not a type");
    }

    private HttpResponse<String> post(String path, String query, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path + "?" + query))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The query an official SDK would send for a POST of {@code body}, signed at {@code timestamp}. */
    static String signedQuery(String path, byte[] body, long timestamp) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", String.valueOf(timestamp));
        params.put("auth_version", "1.0");
        params.put("body_md5", Hmac.md5Hex(body));
        params.put("auth_signature", RequestSignature.sign(SECRET, "POST", path, params));
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining("&"));
    }

    /** {@code body} in chunks of 500 bytes, of unknown length: sent with {@code Transfer-Encoding: chunked}. */
    static Flow.Publisher<ByteBuffer> chunks(byte[] body) {
        List<ByteBuffer> parts = new java.util.ArrayList<>();
        for (int i = 0; i < body.length; i += 500) {
            parts.add(ByteBuffer.wrap(body, i, Math.min(500, body.length - i)));
        }
        return reactor.adapter.JdkFlowAdapter.publisherToFlowPublisher(Flux.fromIterable(parts));
    }

    static void assertError(String body, int status, String messagePart) {
        JsonNode error = json.readTree(body);
        assertThat(error.get("status").asInt()).isEqualTo(status);
        assertThat(error.get("error").asString()).contains(messagePart);
        assertThat(error.size()).isEqualTo(2);
    }

    private List<String> frames() {
        return delivered.stream().map(e -> new String(e.frame(), StandardCharsets.UTF_8)).toList();
    }

    private double published() {
        var counter = context.getBean(MeterRegistry.class).find("herald.messages.published").tag("app_id", APP).counter();
        return counter == null ? 0 : counter.count();
    }
}
