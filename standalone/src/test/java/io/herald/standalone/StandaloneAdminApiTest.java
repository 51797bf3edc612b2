package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.channel.PusherEvent;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The standalone server is every role, auth-service's admin API included: with an admin token, an
 * app created through {@code /admin/apps} connects (pusher-java-client) and publishes
 * (pusher-http-java) on the same server at once, and its secret can be rotated there.
 */
class StandaloneAdminApiTest {

    static final String ADMIN_TOKEN = "standalone-admin-token-5f0c2e9b";

    static StandaloneServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = new StandaloneServer(Map.of("herald.auth.admin-token", ADMIN_TOKEN));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(path)))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static com.pusher.rest.Pusher publisher(String id, String key, String secret) {
        com.pusher.rest.Pusher pusher = new com.pusher.rest.Pusher(id, key, secret);
        pusher.setHost("127.0.0.1:" + server.port);
        pusher.setEncrypted(false);
        return pusher;
    }

    @Test
    void anAppCreatedThroughTheAdminApiConnectsPublishesAndRotatesItsSecret() throws Exception {
        HttpResponse<String> created = admin("POST", "/admin/apps", "{\"name\":\"Created at run time\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = RawJson.field(created.body(), "id");
        String key = RawJson.field(created.body(), "key");
        String secret = RawJson.field(created.body(), "secret");

        OfficialClient official = OfficialClient.connect(key, server.port);
        com.pusher.rest.Pusher first = publisher(id, key, secret);
        try {
            ChannelRecorder recorder = new ChannelRecorder();
            official.pusher.subscribe("orders", recorder, "created");
            recorder.subscribed.get(10, TimeUnit.SECONDS);
            assertThat(first.trigger("orders", "created", Map.of("n", 1)).getHttpStatus()).isEqualTo(200);
            PusherEvent event = recorder.events.poll(10, TimeUnit.SECONDS);
            assertThat(event).isNotNull();
            assertThat(event.getData()).isEqualTo("{\"n\":1}");

            // Rotation without grace: the old secret stops at once, the new one works on the same server.
            HttpResponse<String> rotated = admin("POST", "/admin/apps/" + id + "/rotate-secret",
                    "{\"gracePeriodSeconds\":0}");
            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
            String newSecret = RawJson.field(rotated.body(), "secret");
            assertThat(newSecret).isNotEqualTo(secret);
            com.pusher.rest.Pusher second = publisher(id, key, newSecret);
            try {
                assertThat(second.trigger("orders", "created", Map.of("n", 2)).getHttpStatus()).isEqualTo(200);
                assertThat(recorder.events.poll(10, TimeUnit.SECONDS).getData()).isEqualTo("{\"n\":2}");
                assertThat(first.trigger("orders", "created", Map.of("n", 3)).getHttpStatus()).isEqualTo(401);
            }
            finally {
                second.close();
            }
        }
        finally {
            first.close();
            official.pusher.disconnect();
        }
    }

    @Test
    void theConfiguredDemoAppIsInTheSameRegistry() throws Exception {
        HttpResponse<String> demo = admin("GET", "/admin/apps/demo-app", null);
        assertThat(demo.statusCode()).as(demo.body()).isEqualTo(200);
        assertThat(demo.body()).contains("\"key\":\"demo-key\"").doesNotContain("demo-secret");

        // Disabled through the admin API: the HTTP API of the same process refuses it.
        assertThat(admin("POST", "/admin/apps/demo-app/disable", null).statusCode()).isEqualTo(200);
        try {
            assertThat(server.publisher().trigger("demo", "e", Map.of("x", 1)).getHttpStatus()).isEqualTo(403);
        }
        finally {
            assertThat(admin("POST", "/admin/apps/demo-app/enable", null).statusCode()).isEqualTo(200);
        }
        assertThat(server.publisher().trigger("demo", "e", Map.of("x", 1)).getHttpStatus()).isEqualTo(200);
    }
}
