package io.herald.auth;

import static io.herald.auth.AuthServiceRunner.ADMIN_TOKEN;
import static io.herald.auth.AuthServiceRunner.INTERNAL_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.protocol.PusherCodec;
import io.herald.core.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** With debug logging on, no secret and no token reaches the logs, and no error response repeats one. */
@ExtendWith(OutputCaptureExtension.class)
class SecretLeakTest {

    static final String SECRET = "configured-S3CRET-never-logged-71c2";

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
    void secretsAndTokensNeverReachTheLogs(CapturedOutput output) {
        redis = RedisServer.start();
        context = AuthServiceRunner.start(Clock.systemUTC(), "--herald.redis.state=" + redis.uri(),
                "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                "--logging.level.io.herald=DEBUG",
                "--logging.level.org.springframework.security=DEBUG",
                "--logging.level.org.springframework.web=DEBUG",
                "--logging.level.org.springframework.boot.context.properties=DEBUG",
                "--herald.apps[0].id=leaky", "--herald.apps[0].key=leaky-key", "--herald.apps[0].secret=" + SECRET);
        WebTestClient http = AuthServiceRunner.client(context);
        List<String> forbidden = new ArrayList<>(List.of(SECRET, ADMIN_TOKEN, INTERNAL_TOKEN));
        List<String> errorBodies = new ArrayList<>();

        String created = exchange(http, HttpMethod.POST, "/admin/apps", "Bearer " + ADMIN_TOKEN, "{\"id\":\"new\"}");
        forbidden.add(PusherCodec.json().readTree(created).get("secret").asString());
        String rotated = exchange(http, HttpMethod.POST, "/admin/apps/new/rotate-secret", "Bearer " + ADMIN_TOKEN,
                null);
        forbidden.add(PusherCodec.json().readTree(rotated).get("secret").asString());
        exchange(http, HttpMethod.GET, "/admin/apps/leaky", basic("leaky-key", SECRET), null);
        // Failures, each with a credential in the request.
        errorBodies.add(exchange(http, HttpMethod.GET, "/admin/apps", "Bearer " + ADMIN_TOKEN + "-wrong", null));
        errorBodies.add(exchange(http, HttpMethod.GET, "/admin/apps/leaky", basic("leaky-key", SECRET + "-wrong"), null));
        errorBodies.add(exchange(http, HttpMethod.GET, "/admin/apps/new", basic("leaky-key", SECRET), null));
        errorBodies.add(exchange(http, HttpMethod.GET, "/admin/apps", "Bearer " + INTERNAL_TOKEN, null));
        errorBodies.add(exchange(http, HttpMethod.POST, "/internal/v1/channel-auth", "Bearer " + INTERNAL_TOKEN,
                "{\"appId\":\"leaky\",\"socketId\":\"1.1\",\"channel\":\"private-a\",\"auth\":\"leaky-key:00\"}"));
        errorBodies.add(exchange(http, HttpMethod.POST, "/admin/apps", "Bearer " + ADMIN_TOKEN, "{\"limits\":7}"));
        context.close();
        context = null;

        // The log is real (the operations were logged) ...
        assertThat(output.getAll()).contains("Created app new").contains("Rotated the secret of app new")
                .contains("answered 400");
        // ... and holds none of the secrets, and neither do the error responses.
        forbidden.add(SECRET + "-wrong");
        forbidden.add(ADMIN_TOKEN + "-wrong");
        for (String secret : forbidden) {
            assertThat(output.getAll()).doesNotContain(secret);
            assertThat(errorBodies).allSatisfy(body -> assertThat(body).doesNotContain(secret));
        }
    }

    static String basic(String key, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static String exchange(WebTestClient http, HttpMethod method, String path, String authorization, String body) {
        WebTestClient.RequestBodySpec spec = http.method(method).uri(path)
                .header(HttpHeaders.AUTHORIZATION, authorization);
        WebTestClient.RequestHeadersSpec<?> request = body == null ? spec
                : spec.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        byte[] response = request.exchange().expectBody().returnResult().getResponseBody();
        return response == null ? "" : new String(response, StandardCharsets.UTF_8);
    }
}
