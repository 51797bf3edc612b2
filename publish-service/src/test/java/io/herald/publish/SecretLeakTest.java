package io.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.signature.Hmac;
import io.herald.core.signature.RequestSignature;
import io.herald.core.testing.RedisServer;
import io.herald.publish.testing.SignedRequests;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * No failing request makes the app secret, or the signature the server expected, appear in a
 * response or in the logs, with debug logging on.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretLeakTest {

    static final String APP = "leaky";
    static final String KEY = "key-leaky";
    static final String SECRET = "S3CRET-must-never-be-seen-7f9c2b";
    static final String OFF_APP = "leaky-off";
    static final String OFF_KEY = "key-leaky-off";
    static final String OFF_SECRET = "OFF-S3CRET-must-never-be-seen-1d2e";

    RedisServer redis;
    ConfigurableApplicationContext context;

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void failingRequestsNeverRevealTheSecret(CapturedOutput output) {
        redis = RedisServer.start();
        context = PublishServiceApplication.builder().run(
                "--server.port=0",
                "--herald.redis.shards[0]=" + redis.uri(),
                "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                "--logging.level.io.herald=DEBUG",
                "--logging.level.org.springframework.web=DEBUG",
                "--logging.level.org.springframework.boot.context.properties=DEBUG",
                "--herald.apps[0].id=" + APP, "--herald.apps[0].key=" + KEY, "--herald.apps[0].secret=" + SECRET,
                "--herald.apps[0].max-payload=64B",
                "--herald.apps[1].id=" + OFF_APP, "--herald.apps[1].key=" + OFF_KEY,
                "--herald.apps[1].secret=" + OFF_SECRET, "--herald.apps[1].enabled=false");
        String baseUrl = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
        ShardOutageTest.awaitShardsUp(context);
        SignedRequests api = new SignedRequests(baseUrl, KEY, SECRET);
        String path = "/apps/" + APP + "/events";
        byte[] body = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}".getBytes(StandardCharsets.UTF_8);
        byte[] tampered = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"X\"}".getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        List<String> forbidden = new ArrayList<>(List.of(SECRET, OFF_SECRET));
        List<EntityExchangeResult<String>> responses = new ArrayList<>();

        // Wrong secret: the signature the server computed must not be echoed (a timestamp of its own, so no
        // other request of this test sends that signature).
        responses.add(body(api.send(path, api.signedUri(path, body, now - 1, "wrong"), body,
                MediaType.APPLICATION_JSON)));
        forbidden.add(expectedSignature(path, body, now - 1));
        // Stale timestamp, correctly signed otherwise.
        responses.add(body(api.send(path, api.signedUri(path, body, now - 3600, SECRET), body, MediaType.APPLICATION_JSON)));
        // Body tampered after signing: neither the real digest-based signature nor the secret may show.
        URI signedForOther = api.signedUri(path, body, now, SECRET);
        responses.add(body(api.send(path, signedForOther, tampered, MediaType.APPLICATION_JSON)));
        forbidden.add(Hmac.md5Hex(tampered));
        // Correctly signed, but bad in other ways.
        responses.add(body(api.post(path, "{\"name\":\"e\",\"channel\":\"bad channel\",\"data\":\"d\"}")));
        responses.add(body(api.post(path, "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "x".repeat(65) + "\"}")));
        responses.add(body(api.post(path, "{not json")));
        responses.add(body(api.send(path, api.signedUri(path, body, now, SECRET), body, MediaType.TEXT_PLAIN)));
        responses.add(body(new SignedRequests(baseUrl, OFF_KEY, OFF_SECRET).post("/apps/" + OFF_APP + "/events",
                new String(body, StandardCharsets.UTF_8))));
        responses.add(body(new SignedRequests(baseUrl, KEY, SECRET).post("/apps/nope/events",
                new String(body, StandardCharsets.UTF_8))));
        // The shard is down.
        redis.stop();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            EntityExchangeResult<String> result = body(api.post(path, new String(body, StandardCharsets.UTF_8)));
            responses.add(result);
            return result.getStatus().value() == 503;
        });

        assertThat(responses).extracting(r -> r.getStatus().value())
                .contains(401, 400, 413, 415, 403, 404, 503)
                .allMatch(status -> status >= 400 && status != 500);
        for (EntityExchangeResult<String> response : responses) {
            for (String secret : forbidden) {
                assertThat(response.getResponseBody()).doesNotContain(secret);
                assertThat(response.getResponseHeaders().toString()).doesNotContain(secret);
            }
        }
        // The failures were logged (so this test looks at real log output) ...
        assertThat(output.getAll()).contains("answered 401").contains("answered 403").contains("answered 503");
        // ... and no secret is in it.
        for (String secret : forbidden) {
            assertThat(output.getAll()).doesNotContain(secret);
        }
    }

    static EntityExchangeResult<String> body(WebTestClient.ResponseSpec response) {
        return response.expectBody(String.class).returnResult();
    }

    static String expectedSignature(String path, byte[] body, long timestamp) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", String.valueOf(timestamp));
        params.put("auth_version", "1.0");
        params.put("body_md5", Hmac.md5Hex(body));
        return RequestSignature.sign(SECRET, "POST", path, params);
    }
}
