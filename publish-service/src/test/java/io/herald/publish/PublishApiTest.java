package io.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import io.herald.core.broker.Envelope;
import io.herald.core.testing.RawHttp;
import io.herald.core.testing.RedisServer;
import io.herald.publish.testing.ChannelProbe;
import io.herald.publish.testing.SignedRequests;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * The HTTP API end to end: the real service on a random port over a real Redis, called with the
 * official pusher-http-java SDK and with hand-signed requests, and what an edge node receives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishApiTest {

    static final String APP = "app-1";
    static final String KEY = "key-1";
    static final String SECRET = "secret-1-d41d8cd98f00b204";
    static final String SMALL_APP = "small";
    static final String SMALL_KEY = "key-small";
    static final String SMALL_SECRET = "secret-small-0f343b0931126a20";
    static final String OFF_APP = "off";
    static final String OFF_KEY = "key-off";
    static final String OFF_SECRET = "secret-off-f2a4c6";

    RedisServer redis;
    ConfigurableApplicationContext context;
    ChannelProbe probe;
    Pusher pusher;
    SignedRequests api;
    String baseUrl;

    @BeforeAll
    void start() {
        redis = RedisServer.start();
        String prefix = RedisServer.uniquePrefix();
        context = PublishServiceApplication.builder().run(
                "--server.port=0",
                "--herald.redis.shards[0]=" + redis.uri(),
                "--herald.redis.key-prefix=" + prefix,
                "--herald.apps[0].id=" + APP, "--herald.apps[0].key=" + KEY, "--herald.apps[0].secret=" + SECRET,
                "--herald.apps[1].id=" + SMALL_APP, "--herald.apps[1].key=" + SMALL_KEY,
                "--herald.apps[1].secret=" + SMALL_SECRET, "--herald.apps[1].max-payload=100B",
                "--herald.apps[2].id=" + OFF_APP, "--herald.apps[2].key=" + OFF_KEY,
                "--herald.apps[2].secret=" + OFF_SECRET, "--herald.apps[2].enabled=false");
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        baseUrl = "http://127.0.0.1:" + port;
        probe = new ChannelProbe(List.of(redis.uri()), prefix);
        pusher = sdk(APP, KEY, SECRET, port);
        api = new SignedRequests(baseUrl, KEY, SECRET);
        ShardOutageTest.awaitShardsUp(context);
    }

    static Pusher sdk(String appId, String key, String secret, int port) {
        Pusher pusher = new Pusher(appId, key, secret);
        pusher.setHost("127.0.0.1:" + port);
        pusher.setEncrypted(false);
        return pusher;
    }

    @AfterAll
    void stop() throws Exception {
        if (pusher != null) {
            pusher.close();
        }
        if (probe != null) {
            probe.close();
        }
        if (context != null) {
            context.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    // --- users -----------------------------------------------------------------------------------

    @Test
    void publishesToAUsersServerToUserChannel() {
        probe.subscribe(APP, "#server-to-user-u1");
        // pusher-http-java refuses '#' names client-side; pusher-http-go's SendToUser publishes exactly this.
        api.post("/apps/" + APP + "/events",
                "{\"name\":\"notice\",\"channel\":\"#server-to-user-u1\",\"data\":\"{\\\"hi\\\":1}\"}")
                .expectStatus().isOk();
        assertThat(ChannelProbe.frame(probe.next()))
                .isEqualTo("{\"event\":\"notice\",\"channel\":\"#server-to-user-u1\",\"data\":\"{\\\"hi\\\":1}\"}");
        api.post("/apps/" + APP + "/events", "{\"name\":\"e\",\"data\":\"x\",\"channel\":\"#other\"}")
                .expectStatus().isEqualTo(400);
    }

    @Test
    void terminateConnectionsSendsTheCommandOnTheUsersChannel() {
        probe.subscribe(APP, "#server-to-user-u2");
        api.post("/apps/" + APP + "/users/u2/terminate_connections", "").expectStatus().isOk()
                .expectBody(String.class).isEqualTo("{}");
        Envelope command = probe.next();
        assertThat(command.kind()).isEqualTo(Envelope.Kind.TERMINATE_USER);
        assertThat(command.channel()).isEqualTo(new io.herald.core.broker.ChannelKey(APP, "#server-to-user-u2"));
        api.post("/apps/" + APP + "/users/bad%20id/terminate_connections", "").expectStatus().isEqualTo(400);
        new SignedRequests(baseUrl, KEY, "wrong-secret").post("/apps/" + APP + "/users/u2/terminate_connections", "")
                .expectStatus().isEqualTo(401);
    }

    // --- publishing with the official SDK -------------------------------------------------------

    @Test
    void sdkTriggerDeliversTheExactPusherFrame() {
        probe.subscribe(APP, "my-channel");

        Result result = pusher.trigger("my-channel", "my-event", Map.of("message", "hello"));

        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
        assertThat(result.getMessage()).isEqualTo("{}");
        Envelope envelope = probe.next();
        assertThat(ChannelProbe.frame(envelope))
                .isEqualTo("{\"event\":\"my-event\",\"channel\":\"my-channel\",\"data\":\"{\\\"message\\\":\\\"hello\\\"}\"}");
        assertThat(envelope.channel().appId()).isEqualTo(APP);
        assertThat(envelope.excludeSocketId()).isNull();
        assertThat(envelope.messageId()).isNotBlank().hasSizeLessThanOrEqualTo(64)
                .matches("[\\x21-\\x7e]+");
    }

    @Test
    void sdkTriggerToSeveralChannelsSendsOneFramePerChannelAndCarriesTheExcludedSocket() {
        List<String> channels = List.of("multi-a", "private-multi-b", "presence-multi-c");
        channels.forEach(c -> probe.subscribe(APP, c));

        Result result = pusher.trigger(channels, "update", Map.of("n", 1), "1234.5678");

        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
        List<Envelope> envelopes = probe.next(3);
        Map<String, String> frames = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        for (Envelope envelope : envelopes) {
            frames.put(envelope.channel().channel(), ChannelProbe.frame(envelope));
            assertThat(envelope.excludeSocketId()).isEqualTo("1234.5678");
            ids.add(envelope.messageId());
        }
        assertThat(frames).containsOnlyKeys(channels);
        channels.forEach(c -> assertThat(frames.get(c))
                .isEqualTo("{\"event\":\"update\",\"channel\":\"" + c + "\",\"data\":\"{\\\"n\\\":1}\"}"));
        assertThat(ids).as("message ids are unique").hasSize(3);
    }

    @Test
    void sdkBatchKeepsTheOrderOfEvents() {
        probe.subscribe(APP, "batch-a");
        probe.subscribe(APP, "batch-b");
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(new Event(i % 2 == 0 ? "batch-a" : "batch-b", "step", "step " + i, i == 3 ? "1.2" : null));
        }

        Result result = pusher.trigger(batch);

        assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
        assertThat(result.getMessage()).isEqualTo("{}");
        List<Envelope> envelopes = probe.next(10);
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (Envelope envelope : envelopes) {
            (envelope.channel().channel().equals("batch-a") ? a : b).add(ChannelProbe.frame(envelope));
            if (ChannelProbe.frame(envelope).contains("step 3")) {
                assertThat(envelope.excludeSocketId()).isEqualTo("1.2");
            }
            else {
                assertThat(envelope.excludeSocketId()).isNull();
            }
        }
        // pusher-http-java serialises a String data with Gson, so it arrives JSON-quoted.
        assertThat(a).containsExactly(IntStream.of(0, 2, 4, 6, 8).mapToObj(i -> frame("step", "batch-a", "\\\"step " + i + "\\\""))
                .toArray(String[]::new));
        assertThat(b).containsExactly(IntStream.of(1, 3, 5, 7, 9).mapToObj(i -> frame("step", "batch-b", "\\\"step " + i + "\\\""))
                .toArray(String[]::new));
    }

    @Test
    void sdkSeesPusherStatusesForRejectedRequests() throws Exception {
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        try (Pusher wrongSecret = sdk(APP, KEY, "not-the-secret", port);
                Pusher unknown = sdk("nope", "key-nope", "s", port);
                Pusher disabled = sdk(OFF_APP, OFF_KEY, OFF_SECRET, port);
                Pusher small = sdk(SMALL_APP, SMALL_KEY, SMALL_SECRET, port)) {
            assertThat(wrongSecret.trigger("c", "e", "x").getHttpStatus()).isEqualTo(401);
            assertThat(wrongSecret.trigger("c", "e", "x").getStatus()).isEqualTo(Result.Status.AUTHENTICATION_ERROR);
            assertThat(unknown.trigger("c", "e", "x").getHttpStatus()).isEqualTo(404);
            assertThat(disabled.trigger("c", "e", "x").getHttpStatus()).isEqualTo(403);
            assertThat(small.trigger("c", "e", "x".repeat(200)).getHttpStatus()).isEqualTo(413);
            assertThat(small.trigger("c", "e", "x".repeat(50)).getHttpStatus()).isEqualTo(200);
        }
    }

    // --- hand-signed requests ---------------------------------------------------------------------

    @Test
    void dataThatIsNotAStringIsCarriedAsItsJsonText() {
        probe.subscribe(APP, "raw");

        api.post("/apps/" + APP + "/events", "{\"name\":\"e\",\"channel\":\"raw\",\"data\":{\"a\":[1,true,null]}}")
                .expectStatus().isOk().expectBody(String.class).isEqualTo("{}");
        api.post("/apps/" + APP + "/events", "{\"name\":\"e\",\"channel\":\"raw\",\"data\":\"plain \\u00e9\"}")
                .expectStatus().isOk();

        assertThat(ChannelProbe.frame(probe.next())).isEqualTo(frame("e", "raw", "{\\\"a\\\":[1,true,null]}"));
        assertThat(ChannelProbe.frame(probe.next())).isEqualTo(frame("e", "raw", "plain \u00e9"));
    }

    @Test
    void duplicateChannelsArePublishedOnce() {
        probe.subscribe(APP, "dup");

        api.post("/apps/" + APP + "/events", "{\"name\":\"first\",\"channels\":[\"dup\",\"dup\"],\"data\":\"1\"}")
                .expectStatus().isOk();
        api.post("/apps/" + APP + "/events", "{\"name\":\"second\",\"channel\":\"dup\",\"data\":\"2\"}")
                .expectStatus().isOk();

        assertThat(ChannelProbe.frame(probe.next())).contains("\"first\"");
        assertThat(ChannelProbe.frame(probe.next())).contains("\"second\"");
    }

    @Test
    void infoIsValidatedAndAnsweredWithTheChannelStatesCounts() {
        // nobody is subscribed here; ChannelQueryApiTest checks counts of occupied channels
        api.post("/apps/" + APP + "/events",
                "{\"name\":\"e\",\"channel\":\"presence-room\",\"data\":\"d\",\"info\":\"user_count,subscription_count\"}")
                .expectStatus().isOk().expectBody(String.class)
                .isEqualTo("{\"channels\":{\"presence-room\":{\"user_count\":0,\"subscription_count\":0}}}");
        api.post("/apps/" + APP + "/batch_events",
                "{\"batch\":[{\"name\":\"e\",\"channel\":\"room\",\"data\":\"d\",\"info\":\"subscription_count\"}]}")
                .expectStatus().isOk().expectBody(String.class).isEqualTo("{\"batch\":[{\"subscription_count\":0}]}");
        expectError(api.post("/apps/" + APP + "/events",
                "{\"name\":\"e\",\"channel\":\"room\",\"data\":\"d\",\"info\":\"user_count\"}"), 400,
                "user_count is only for presence channels");
        expectError(api.post("/apps/" + APP + "/events",
                "{\"name\":\"e\",\"channel\":\"room\",\"data\":\"d\",\"info\":\"members\"}"), 400,
                "Unknown info attribute \"members\"");
    }

    @Test
    void badSignaturesAreRejectedWith401() {
        String path = "/apps/" + APP + "/events";
        byte[] body = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}".getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();

        expectError(api.send(path, api.uri(path, Map.of()), body, MediaType.APPLICATION_JSON), 401,
                "Missing auth_key");
        expectError(api.send(path, api.signedUri(path, body, now, "wrong-secret"), body, MediaType.APPLICATION_JSON),
                401, "Invalid signature");
        expectError(api.send(path, api.signedUri(path, body, now - 700, SECRET), body, MediaType.APPLICATION_JSON),
                401, "Timestamp expired");
        byte[] tampered = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"X\"}".getBytes(StandardCharsets.UTF_8);
        expectError(api.send(path, api.signedUri(path, body, now, SECRET), tampered, MediaType.APPLICATION_JSON),
                401, "body_md5 does not match");
        SignedRequests otherKey = new SignedRequests(baseUrl, SMALL_KEY, SECRET);
        expectError(otherKey.send(path, otherKey.signedUri(path, body, now, SECRET), body, MediaType.APPLICATION_JSON),
                401, "auth_key does not match");
        // Signed for another path.
        expectError(api.send(path, api.signedUri("/apps/" + APP + "/batch_events", body, now, SECRET)
                .resolve(path + "?" + api.signedUri("/apps/" + APP + "/batch_events", body, now, SECRET).getRawQuery()),
                body, MediaType.APPLICATION_JSON), 401, "Invalid signature");
    }

    @Test
    void unknownAndDisabledApps() {
        expectError(new SignedRequests(baseUrl, "k", "s").post("/apps/unknown/events",
                "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}"), 404, "Unknown app id unknown");
        expectError(new SignedRequests(baseUrl, "k", "s").post("/apps/bad%20id/events",
                "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}"), 404, "Unknown app");
        SignedRequests off = new SignedRequests(baseUrl, OFF_KEY, OFF_SECRET);
        expectError(off.post("/apps/" + OFF_APP + "/events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}"),
                403, "disabled");
        // A disabled app does not tell strangers that it is disabled.
        SignedRequests stranger = new SignedRequests(baseUrl, OFF_KEY, "guess");
        expectError(stranger.post("/apps/" + OFF_APP + "/events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}"),
                401, "Invalid signature");
    }

    @Test
    void invalidEventsAreRejectedWith400() {
        String events = "/apps/" + APP + "/events";
        expectError(api.post(events, "{\"name\":\"e\",\"channel\":\"bad channel!\",\"data\":\"d\"}"), 400,
                "invalid character");
        expectError(api.post(events, "{\"name\":\"e\",\"channels\":[\"ok\",\"#reserved-1\"],\"data\":\"d\"}"),
                400, "channels[1]");
        expectError(api.post(events, "{\"name\":\"e\",\"channel\":\"" + "c".repeat(165) + "\",\"data\":\"d\"}"), 400,
                "Channel name is too long");
        expectError(api.post(events, "{\"name\":\"" + "e".repeat(201) + "\",\"channel\":\"c\",\"data\":\"d\"}"), 400,
                "Event name is too long");
        expectError(api.post(events, "{\"name\":\"\",\"channel\":\"c\",\"data\":\"d\"}"), 400, "Event name is missing");
        expectError(api.post(events, "{\"name\":\"pusher_internal:subscription_succeeded\",\"channel\":\"c\",\"data\":\"d\"}"),
                400, "reserved");
        expectError(api.post(events, "{\"channel\":\"c\",\"data\":\"d\"}"), 400, "Missing required field \"name\"");
        expectError(api.post(events, "{\"name\":\"e\",\"channel\":\"c\"}"), 400, "Missing required field \"data\"");
        expectError(api.post(events, "{\"name\":\"e\",\"data\":\"d\"}"), 400, "Missing required field \"channels\"");
        expectError(api.post(events, "{\"name\":\"e\",\"channels\":[],\"data\":\"d\"}"), 400,
                "Missing required field \"channels\"");
        expectError(api.post(events, "{\"name\":\"e\",\"channel\":\"c\",\"channels\":[\"d\"],\"data\":\"d\"}"), 400,
                "not both");
        expectError(api.post(events, "{\"name\":1,\"channel\":\"c\",\"data\":\"d\"}"), 400, "\"name\" must be a string");
        expectError(api.post(events, "{\"name\":\"e\",\"channels\":\"c\",\"data\":\"d\"}"), 400,
                "\"channels\" must be an array");
        expectError(api.post(events, "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\",\"socket_id\":\"abc\"}"), 400,
                "Invalid socket_id");
        expectError(api.post(events, "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\",\"socket_id\":12}"), 400,
                "\"socket_id\" must be a string");
        String tooMany = IntStream.range(0, 101).mapToObj(i -> "\"c" + i + "\"").reduce((x, y) -> x + "," + y).get();
        expectError(api.post(events, "{\"name\":\"e\",\"channels\":[" + tooMany + "],\"data\":\"d\"}"), 400,
                "Too many channels: 101, the limit is 100");
    }

    @Test
    void invalidBatchesAreRejectedWith400AndNothingIsPublished() {
        probe.subscribe(APP, "batch-invalid");
        String batch = "/apps/" + APP + "/batch_events";
        String event = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}";
        String eleven = String.join(",", java.util.Collections.nCopies(11, event));
        expectError(api.post(batch, "{\"batch\":[" + eleven + "]}"), 400, "Batch too large: 11 events, the limit is 10");
        expectError(api.post(batch, "{}"), 400, "Missing required field \"batch\"");
        expectError(api.post(batch, "{\"batch\":{}}"), 400, "\"batch\" must be an array");
        expectError(api.post(batch, "{\"batch\":[1]}"), 400, "batch[0]: each event must be a JSON object");
        expectError(api.post(batch, "{\"batch\":[{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"d\"}]}"), 400,
                "batch[0]: Events in a batch take one \"channel\"");
        // The first event is valid, the second is not: neither is published.
        expectError(api.post(batch, "{\"batch\":[{\"name\":\"first\",\"channel\":\"batch-invalid\",\"data\":\"d\"},"
                + "{\"name\":\"e\",\"channel\":\"bad channel\",\"data\":\"d\"}]}"), 400, "batch[1]: ");
        api.post(batch, "{\"batch\":[{\"name\":\"after\",\"channel\":\"batch-invalid\",\"data\":\"d\"}]}")
                .expectStatus().isOk();
        assertThat(ChannelProbe.frame(probe.next())).contains("\"after\"");
    }

    @Test
    void malformedBodiesAndContentTypes() {
        String events = "/apps/" + APP + "/events";
        expectError(api.post(events, "{\"name\":"), 400, "Malformed JSON body");
        expectError(api.post(events, "[1,2]"), 400, "must be a JSON object");
        expectError(api.post(events, "{} trailing"), 400, "Malformed JSON body");
        expectError(api.post(events, new byte[0]), 400, "Request body is empty");
        expectError(api.post(events, new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b}), 400, "Malformed JSON body");
        byte[] body = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}".getBytes(StandardCharsets.UTF_8);
        expectError(api.send(events, api.signedUri(events, body, Instant.now().getEpochSecond(), SECRET), body,
                MediaType.TEXT_PLAIN), 415, "send the body as application/json");
        expectError(api.send(events, api.signedUri(events, body, Instant.now().getEpochSecond(), SECRET), body,
                MediaType.APPLICATION_FORM_URLENCODED), 415, "Unsupported Content-Type");
        api.send(events, api.signedUri(events, body, Instant.now().getEpochSecond(), SECRET), body,
                MediaType.parseMediaType("application/json; charset=utf-8")).expectStatus().isOk();
        // No Content-Type at all is read as JSON.
        api.client().post().uri(api.signedUri(events, body, Instant.now().getEpochSecond(), SECRET))
                .headers(headers -> headers.remove("Content-Type")).bodyValue(body).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).consumeWith(result ->
                        assertThat(result.getRequestHeaders().getContentType()).isNull());
        expectError(api.client().get().uri(events).exchange(), 405, "use POST");
    }

    @Test
    void payloadsOverTheLimitsAreRejectedWith413() {
        SignedRequests small = new SignedRequests(baseUrl, SMALL_KEY, SMALL_SECRET);
        String path = "/apps/" + SMALL_APP + "/events";
        expectError(small.post(path, "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "x".repeat(101) + "\"}"), 413,
                "\"data\" is 101 bytes, the limit for this app is 100 bytes");
        // 34 characters, but 102 bytes in UTF-8.
        expectError(small.post(path, "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "\u20ac".repeat(34) + "\"}"), 413,
                "102 bytes");
        small.post(path, "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "x".repeat(100) + "\"}").expectStatus().isOk();
        expectError(small.post("/apps/" + SMALL_APP + "/batch_events", "{\"batch\":[{\"name\":\"e\",\"channel\":\"c\","
                + "\"data\":\"ok\"},{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "x".repeat(101) + "\"}]}"), 413,
                "batch[1]");
        // The default 10KB limit.
        expectError(api.post("/apps/" + APP + "/events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":\""
                + "x".repeat(10 * 1024 + 1) + "\"}"), 413, "the limit for this app is 10240 bytes");
        // The request size limit (1MB by default).
        expectError(api.post("/apps/" + APP + "/events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":\""
                + "x".repeat(1024 * 1024) + "\"}"), 413, "Request body too large");
        // The same without Content-Length (chunked): the limit holds while reading.
        byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
        Flux<DataBuffer> chunked = Flux.range(0, 20).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(chunk));
        expectError(api.client().post().uri(api.signedUri("/apps/" + APP + "/events", chunk,
                        Instant.now().getEpochSecond(), SECRET))
                .contentType(MediaType.APPLICATION_JSON).body(chunked, DataBuffer.class).exchange(), 413,
                "Request body too large; the limit is 1048576 bytes");
    }

    @Test
    void actuatorExposesHealthProbesAndPrometheusMetrics() {
        api.post("/apps/" + APP + "/events", "{\"name\":\"e\",\"channels\":[\"m1\",\"m2\"],\"data\":\"d\"}")
                .expectStatus().isOk();
        expectError(api.post("/apps/" + APP + "/events", "{\"name\":\"e\"}"), 400, "Missing");
        WebTestClient client = api.client();
        client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
                .expectBody(String.class).value(b -> assertThat(b).contains("UP"));
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                .expectBody(String.class).value(b -> assertThat(b).contains("UP"));
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body)
                        .containsPattern("herald_messages_published_total\\{[^}]*app_id=\"app-1\"[^}]*\\} [1-9]")
                        .containsPattern("herald_publish_latency_seconds_count\\{[^}]*app_id=\"app-1\"[^}]*\\} [1-9]")
                        .containsPattern("herald_publish_errors_total\\{[^}]*status=\"400\"[^}]*\\} [1-9]")
                        .contains("herald_redis_shard_up"));
    }

    static String frame(String event, String channel, String escapedData) {
        return "{\"event\":\"" + event + "\",\"channel\":\"" + channel + "\",\"data\":\"" + escapedData + "\"}";
    }

    static void expectError(WebTestClient.ResponseSpec response, int status, String messagePart) {
        response.expectStatus().isEqualTo(HttpStatus.valueOf(status))
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(status)
                .jsonPath("$.error").value(String.class, error -> assertThat(error).contains(messagePart));
    }

    @Test
    void answersAnOversizedRequestLineOrHeadersWithHeraldsErrorBody() throws java.io.IOException {
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        RawHttp.assertHeraldError(RawHttp.exchange(port, RawHttp.longUriRequest(10_000)), 414);
        RawHttp.assertHeraldError(RawHttp.exchange(port, RawHttp.hugeHeaderRequest("/apps/" + APP + "/channels", 20_000)),
                431);
    }
}
