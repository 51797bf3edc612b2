package io.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.TestClock;
import io.herald.publish.testing.SignedRequests;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import io.herald.core.ratelimit.QuotaDays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;

/**
 * Quotas through the HTTP API: the real service on a random port with its quotas on a real
 * state Redis, its clock moved by hand (it is frozen otherwise, so no unit comes back while a
 * test runs), called with the official pusher-http-java SDK and with hand-signed requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaApiTest {

    static final String RATED = "rated";
    static final String RATED_KEY = "key-rated";
    static final String RATED_SECRET = "secret-rated-7c1f";
    static final String CALLS = "calls";
    static final String CALLS_KEY = "key-calls";
    static final String CALLS_SECRET = "secret-calls-99ab";
    static final String DAILY = "daily";
    static final String DAILY_KEY = "key-daily";
    static final String DAILY_SECRET = "secret-daily-5e2d";
    static final String FREE = "free";
    static final String FREE_KEY = "key-free";
    static final String FREE_SECRET = "secret-free-0a0b";
    static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    RedisServer redis;
    TestClock clock;
    ConfigurableApplicationContext context;
    String baseUrl;
    int port;

    @BeforeAll
    void start() {
        redis = RedisServer.start();
        // Now, as the official SDK signs with the real time; tests that move it far move it back.
        clock = new TestClock(Instant.now());
        context = PublishServiceApplication.builder()
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("heraldClock", (Clock) clock))
                .run("--server.port=0",
                        "--herald.redis.shards[0]=" + redis.uri(),
                        "--herald.redis.state=" + redis.uri(),
                        "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                        "--herald.ratelimit.burst=1s",
                        // A state Redis slower than the default 500 ms on a loaded machine would put
                        // the node on its local share (tested elsewhere), not what these tests count.
                        "--herald.ratelimit.timeout=30s",
                        "--herald.apps[0].id=" + RATED, "--herald.apps[0].key=" + RATED_KEY,
                        "--herald.apps[0].secret=" + RATED_SECRET, "--herald.apps[0].max-publish-per-second=5",
                        "--herald.apps[1].id=" + CALLS, "--herald.apps[1].key=" + CALLS_KEY,
                        "--herald.apps[1].secret=" + CALLS_SECRET, "--herald.apps[1].max-api-requests-per-second=2",
                        "--herald.apps[2].id=" + DAILY, "--herald.apps[2].key=" + DAILY_KEY,
                        "--herald.apps[2].secret=" + DAILY_SECRET, "--herald.apps[2].max-messages-per-day=3",
                        "--herald.apps[2].time-zone=Asia/Tokyo",
                        "--herald.apps[3].id=" + FREE, "--herald.apps[3].key=" + FREE_KEY,
                        "--herald.apps[3].secret=" + FREE_SECRET);
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        baseUrl = "http://127.0.0.1:" + port;
        ShardOutageTest.awaitShardsUp(context);
    }

    @AfterAll
    void stop() {
        if (context != null) {
            context.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** A publish signed at the hand-moved clock's time (the service checks timestamps against it). */
    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec publish(String key,
            String secret, String appId, String body) {
        SignedRequests api = new SignedRequests(baseUrl, key, secret);
        String path = "/apps/" + appId + "/events";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return api.send(path, api.signedUri(path, bytes, clock.instant().getEpochSecond(), secret), bytes,
                MediaType.APPLICATION_JSON);
    }

    @Test
    void overThePublishRateTheOfficialSdkGets429AndTheBodySaysWhenToRetryWhileAnotherAppIsUnaffected()
            throws Exception {
        try (Pusher rated = PublishApiTest.sdk(RATED, RATED_KEY, RATED_SECRET, port);
                Pusher free = PublishApiTest.sdk(FREE, FREE_KEY, FREE_SECRET, port)) {
            // The SDK signs with the real time; the service's clock is within the signature window of it.
            Result three = rated.trigger(List.of("a", "b", "c"), "e", Map.of("n", 1));
            Result two = rated.trigger(List.of("a", "b"), "e", Map.of("n", 2));
            Result over = rated.trigger("a", "e", Map.of("n", 3));
            Result other = free.trigger("a", "e", Map.of("n", 4));

            assertThat(three.getHttpStatus()).as(three.getMessage()).isEqualTo(200);
            assertThat(two.getHttpStatus()).as(two.getMessage()).isEqualTo(200);
            assertThat(over.getHttpStatus()).isEqualTo(429);
            assertThat(over.getMessage()).contains("publish rate of app rated (5 messages per second");
            assertThat(other.getHttpStatus()).as(other.getMessage()).isEqualTo(200);
        }
        publish(RATED_KEY, RATED_SECRET, RATED, "{\"name\":\"e\",\"channel\":\"a\",\"data\":\"1\"}")
                .expectStatus().isEqualTo(429)
                .expectHeader().valueEquals("Retry-After", "1")
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(429)
                .jsonPath("$.error").value(message -> assertThat((String) message).contains("retry after 1 s"));

        clock.advance(Duration.ofSeconds(1));
        publish(RATED_KEY, RATED_SECRET, RATED, "{\"name\":\"e\",\"channel\":\"a\",\"data\":\"1\"}")
                .expectStatus().isOk();
    }

    @Test
    void overTheApiRequestRateAnyRequestGets429() {
        String event = "{\"name\":\"e\",\"channel\":\"a\",\"data\":\"1\"}";
        publish(CALLS_KEY, CALLS_SECRET, CALLS, event).expectStatus().isOk();
        publish(CALLS_KEY, CALLS_SECRET, CALLS, event).expectStatus().isOk();

        publish(CALLS_KEY, CALLS_SECRET, CALLS, event).expectStatus().isEqualTo(429)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.error").value(message -> assertThat((String) message)
                        .contains("API request rate of app calls (2 requests per second)"));
        // A request signed with a wrong secret is refused for its signature and spends nothing.
        publish(CALLS_KEY, "not-the-secret", CALLS, event).expectStatus().isUnauthorized();
    }

    @Test
    void overTheDailyQuotaTheApiAnswers403UntilMidnightInTheAppsTimeZone() {
        String two = "{\"name\":\"e\",\"channels\":[\"a\",\"b\"],\"data\":\"1\"}";
        publish(DAILY_KEY, DAILY_SECRET, DAILY, two).expectStatus().isOk();
        Duration untilMidnight = QuotaDays.untilNextDay(clock.instant(), TOKYO);
        long seconds = untilMidnight.toSeconds() + (untilMidnight.toNanosPart() > 0 ? 1 : 0);

        // 2 used of 3: a message to 2 channels is refused whole.
        publish(DAILY_KEY, DAILY_SECRET, DAILY, two).expectStatus().isForbidden()
                .expectHeader().valueEquals("Retry-After", String.valueOf(seconds))
                .expectBody().jsonPath("$.status").isEqualTo(403)
                .jsonPath("$.error").value(message -> assertThat((String) message)
                        .contains("over its message quota of 3 messages per day")
                        .contains("midnight Asia/Tokyo"));

        clock.advance(untilMidnight);
        try {
            publish(DAILY_KEY, DAILY_SECRET, DAILY, two).expectStatus().isOk();
        }
        finally {
            clock.advance(untilMidnight.negated());
        }
    }
}
