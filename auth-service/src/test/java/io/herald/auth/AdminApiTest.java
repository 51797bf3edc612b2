package io.herald.auth;

import io.herald.core.testing.TestClock;
import static io.herald.auth.AuthServiceRunner.ADMIN_TOKEN;
import static io.herald.auth.AuthServiceRunner.INTERNAL_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.protocol.PusherCodec;
import io.herald.core.signature.ChannelSignatures;
import io.herald.core.testing.RawHttp;
import io.herald.core.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** The admin API of a real auth-service over a real Redis: what it does, and who may do it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {

    static final String SEEDED_ID = "seeded";
    static final String SEEDED_KEY = "seeded-key";
    static final String SEEDED_SECRET = "seeded-secret-4b7e0c1d9a";

    final TestClock clock = new TestClock();
    RedisServer redis;
    ConfigurableApplicationContext context;
    WebTestClient http;

    @BeforeAll
    void start() {
        redis = RedisServer.start();
        context = AuthServiceRunner.start(clock,
                "--herald.redis.state=" + redis.uri(),
                "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                "--herald.apps[0].id=" + SEEDED_ID, "--herald.apps[0].key=" + SEEDED_KEY,
                "--herald.apps[0].secret=" + SEEDED_SECRET);
        http = AuthServiceRunner.client(context);
    }

    @AfterAll
    void stop() {
        context.close();
        redis.close();
    }

    static String basic(String key, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode json(EntityExchangeResult<byte[]> result) {
        return PusherCodec.json().readTree(result.getResponseBody());
    }

    EntityExchangeResult<byte[]> call(String method, String path, String authorization, String body) {
        WebTestClient.RequestBodySpec spec = http.method(org.springframework.http.HttpMethod.valueOf(method)).uri(path);
        if (authorization != null) {
            spec.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        WebTestClient.RequestHeadersSpec<?> request = body == null ? spec
                : spec.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        return request.exchange().expectBody().returnResult();
    }

    EntityExchangeResult<byte[]> admin(String method, String path, String body) {
        return call(method, path, "Bearer " + ADMIN_TOKEN, body);
    }

    JsonNode createApp(String body) {
        EntityExchangeResult<byte[]> created = admin("POST", "/admin/apps", body);
        assertThat(created.getStatus().value()).isEqualTo(201);
        return json(created);
    }

    @Test
    void createGeneratesIdKeyAndAStrongSecretShownOnlyThen() {
        JsonNode app = createApp("{\"name\":\"Shop\",\"limits\":{\"maxConnections\":500},"
                + "\"features\":{\"clientEvents\":true},"
                + "\"webhooks\":[{\"url\":\"https://hooks.example.com/a\",\"events\":[\"channel_occupied\"]}]}");

        String id = app.get("id").asString();
        String secret = app.get("secret").asString();
        assertThat(id).matches("\\d{7}");
        assertThat(app.get("key").asString()).matches("[0-9a-f]{20}");
        assertThat(secret).matches("[0-9a-f]{64}");
        assertThat(app.get("limits").get("maxConnections").asInt()).isEqualTo(500);
        assertThat(app.get("limits").get("maxPresenceMembers").asInt()).isEqualTo(100);
        assertThat(app.get("features").get("clientEvents").asBoolean()).isTrue();
        assertThat(app.get("webhooks").get(0).get("events").get(0).asString()).isEqualTo("channel_occupied");

        // Every other answer about it is without the secret.
        for (EntityExchangeResult<byte[]> result : new EntityExchangeResult[] { admin("GET", "/admin/apps/" + id, null),
                admin("GET", "/admin/apps", null), admin("PATCH", "/admin/apps/" + id, "{\"name\":\"Shop 2\"}"),
                admin("POST", "/admin/apps/" + id + "/disable", null),
                admin("POST", "/admin/apps/" + id + "/enable", null) }) {
            assertThat(result.getStatus().value()).isEqualTo(200);
            String text = new String(result.getResponseBody(), StandardCharsets.UTF_8);
            assertThat(text).contains(id).doesNotContain(secret).doesNotContain("\"secret\"")
                    .doesNotContain(SEEDED_SECRET);
        }
    }

    @Test
    void anAppCanBeReadUpdatedDisabledAndDeleted() {
        JsonNode app = createApp("{\"id\":\"crud-app\",\"name\":\"Before\"}");
        assertThat(app.get("id").asString()).isEqualTo("crud-app");

        JsonNode updated = json(admin("PATCH", "/admin/apps/crud-app",
                "{\"name\":\"After\",\"limits\":{\"maxPresenceMembers\":5},\"features\":{\"userAuthentication\":true}}"));
        assertThat(updated.get("name").asString()).isEqualTo("After");
        assertThat(updated.get("limits").get("maxPresenceMembers").asInt()).isEqualTo(5);
        // Partial: the other limits kept their values.
        assertThat(updated.get("limits").get("maxClientEventsPerSecond").asInt()).isEqualTo(10);
        assertThat(updated.get("features").get("userAuthentication").asBoolean()).isTrue();

        assertThat(json(admin("POST", "/admin/apps/crud-app/disable", null)).get("enabled").asBoolean()).isFalse();
        assertThat(json(admin("GET", "/admin/apps/crud-app", null)).get("enabled").asBoolean()).isFalse();
        assertThat(json(admin("POST", "/admin/apps/crud-app/enable", null)).get("enabled").asBoolean()).isTrue();
        assertThat(json(admin("GET", "/admin/apps", null)).get("apps").findValuesAsString("id"))
                .contains("crud-app", SEEDED_ID);
        assertThat(json(admin("GET", "/admin/apps/crud-app/webhook-failures", null)).get("failures").size())
                .isZero();

        assertThat(admin("DELETE", "/admin/apps/crud-app", null).getStatus().value()).isEqualTo(204);
        assertThat(admin("GET", "/admin/apps/crud-app", null).getStatus().value()).isEqualTo(404);
        assertThat(admin("DELETE", "/admin/apps/crud-app", null).getStatus().value()).isEqualTo(404);
        assertThat(admin("PATCH", "/admin/apps/crud-app", "{\"name\":\"x\"}").getStatus().value()).isEqualTo(404);
        assertThat(admin("POST", "/admin/apps/crud-app/rotate-secret", null).getStatus().value()).isEqualTo(404);
        assertThat(admin("GET", "/admin/apps/crud-app/webhook-failures", null).getStatus().value()).isEqualTo(404);
    }

    @Test
    void badRequestsAre400WithEveryProblemNamed() {
        EntityExchangeResult<byte[]> result = admin("POST", "/admin/apps",
                "{\"id\":\"bad id\",\"limits\":{\"maxPayloadBytes\":0,\"nope\":1},\"features\":{\"clientEvents\":\"yes\"},"
                        + "\"webhooks\":[{\"url\":\"ftp://x\"}],\"colour\":\"red\"}");

        assertThat(result.getStatus().value()).isEqualTo(400);
        assertThat(json(result).get("error").asString())
                .contains("id must be").contains("limits.maxPayloadBytes").contains("limits.nope")
                .contains("features.clientEvents").contains("webhooks[0].url").contains("colour");
        assertThat(admin("POST", "/admin/apps", "{not json").getStatus().value()).isEqualTo(400);
        assertThat(admin("POST", "/admin/apps", "[1]").getStatus().value()).isEqualTo(400);
        assertThat(admin("POST", "/admin/apps", null).getStatus().value()).isEqualTo(400);
        assertThat(json(admin("PATCH", "/admin/apps/" + SEEDED_ID, "{\"enabled\":false}")).get("error").asString())
                .contains("/enable or /disable");
        assertThat(admin("POST", "/admin/apps/" + SEEDED_ID + "/rotate-secret", "{\"gracePeriodSeconds\":-1}")
                .getStatus().value()).isEqualTo(400);
        assertThat(admin("GET", "/admin/apps/" + SEEDED_ID + "/webhook-failures?limit=0", null).getStatus().value())
                .isEqualTo(400);
        assertThat(admin("POST", "/admin/apps", "{\"id\":\"" + SEEDED_ID + "\"}").getStatus().value()).isEqualTo(409);
    }

    @Test
    void withoutCredentialsOrWithWrongOnesEverythingIs401() {
        for (String auth : new String[] { null, "Bearer wrong-token-123456789", "Bearer " + ADMIN_TOKEN + "x",
                basic(SEEDED_KEY, "wrong"), basic("unknown-key", SEEDED_SECRET), "Basic !!!", "Digest abc" }) {
            for (String[] request : new String[][] { { "GET", "/admin/apps" }, { "POST", "/admin/apps" },
                    { "GET", "/admin/apps/" + SEEDED_ID }, { "DELETE", "/admin/apps/" + SEEDED_ID },
                    { "GET", "/internal/v1/apps/by-id/" + SEEDED_ID } }) {
                EntityExchangeResult<byte[]> result = call(request[0], request[1], auth,
                        request[0].equals("POST") ? "{}" : null);
                assertThat(result.getStatus().value()).as(auth + " " + request[1]).isEqualTo(401);
                assertThat(result.getResponseHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).contains("Bearer");
            }
        }
        assertThat(admin("GET", "/admin/apps/" + SEEDED_ID, null).getStatus().value()).isEqualTo(200);
    }

    @Test
    void aTenantMayReadAndUpdateOnlyItsOwnApp() {
        JsonNode other = createApp("{\"name\":\"Other tenant\"}");
        String otherId = other.get("id").asString();
        String tenant = basic(SEEDED_KEY, SEEDED_SECRET);

        assertThat(call("GET", "/admin/apps/" + SEEDED_ID, tenant, null).getStatus().value()).isEqualTo(200);
        EntityExchangeResult<byte[]> patched = call("PATCH", "/admin/apps/" + SEEDED_ID, tenant,
                "{\"features\":{\"clientEvents\":true}}");
        assertThat(patched.getStatus().value()).isEqualTo(200);
        assertThat(json(patched).get("features").get("clientEvents").asBoolean()).isTrue();
        assertThat(call("GET", "/admin/apps/" + SEEDED_ID + "/webhook-failures", tenant, null).getStatus().value())
                .isEqualTo(200);

        // Another tenant's app, known or not, and the admin-only operations: 403.
        assertThat(call("GET", "/admin/apps/" + otherId, tenant, null).getStatus().value()).isEqualTo(403);
        assertThat(call("PATCH", "/admin/apps/" + otherId, tenant, "{\"name\":\"x\"}").getStatus().value())
                .isEqualTo(403);
        assertThat(call("POST", "/admin/apps/" + otherId + "/rotate-secret", tenant, null).getStatus().value())
                .isEqualTo(403);
        assertThat(call("GET", "/admin/apps/no-such-app", tenant, null).getStatus().value()).isEqualTo(403);
        assertThat(call("POST", "/admin/apps", tenant, "{\"name\":\"mine\"}").getStatus().value()).isEqualTo(403);
        assertThat(call("GET", "/admin/apps", tenant, null).getStatus().value()).isEqualTo(403);
        assertThat(call("DELETE", "/admin/apps/" + SEEDED_ID, tenant, null).getStatus().value()).isEqualTo(403);
        assertThat(call("POST", "/admin/apps/" + SEEDED_ID + "/disable", tenant, null).getStatus().value())
                .isEqualTo(403);
        assertThat(call("GET", "/internal/v1/apps/by-id/" + SEEDED_ID, tenant, null).getStatus().value())
                .isEqualTo(403);
        // The internal token is for /internal only.
        assertThat(call("GET", "/admin/apps", "Bearer " + INTERNAL_TOKEN, null).getStatus().value()).isEqualTo(403);
        assertThat(call("GET", "/admin/apps/" + otherId, "Bearer " + ADMIN_TOKEN, null).getStatus().value())
                .isEqualTo(200);
    }

    @Test
    void aRotatedSecretIsStillAcceptedUntilItsGraceEnds() {
        JsonNode app = createApp("{\"name\":\"Rotating\"}");
        String id = app.get("id").asString();
        String key = app.get("key").asString();
        String oldSecret = app.get("secret").asString();

        EntityExchangeResult<byte[]> rotated = admin("POST", "/admin/apps/" + id + "/rotate-secret",
                "{\"gracePeriodSeconds\":600}");
        assertThat(rotated.getStatus().value()).isEqualTo(200);
        String newSecret = json(rotated).get("secret").asString();
        assertThat(newSecret).matches("[0-9a-f]{64}").isNotEqualTo(oldSecret);
        assertThat(json(rotated).get("previousSecretValidUntil").asString()).isNotEmpty();

        assertThat(channelAuthOk(id, key, oldSecret)).isTrue();
        assertThat(channelAuthOk(id, key, newSecret)).isTrue();
        assertThat(call("GET", "/admin/apps/" + id, basic(key, oldSecret), null).getStatus().value()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(601));

        assertThat(channelAuthOk(id, key, oldSecret)).isFalse();
        assertThat(channelAuthOk(id, key, newSecret)).isTrue();
        assertThat(call("GET", "/admin/apps/" + id, basic(key, oldSecret), null).getStatus().value()).isEqualTo(401);

        // Without a grace period the old secret stops at once.
        String third = json(admin("POST", "/admin/apps/" + id + "/rotate-secret", "{\"gracePeriodSeconds\":0}"))
                .get("secret").asString();
        assertThat(channelAuthOk(id, key, newSecret)).isFalse();
        assertThat(channelAuthOk(id, key, third)).isTrue();
    }

    @Test
    void theInternalApiVerifiesSignaturesAndShowsOnlyThePublicView() {
        String internal = "Bearer " + INTERNAL_TOKEN;
        String channelData = "{\"user_id\":\"u1\"}";
        String presenceAuth = ChannelSignatures.token(SEEDED_KEY, SEEDED_SECRET,
                ChannelSignatures.channelStringToSign("1.2", "presence-room", channelData));
        JsonNode ok = json(call("POST", "/internal/v1/channel-auth", internal, PusherCodec.json().createObjectNode()
                .put("appId", SEEDED_ID).put("socketId", "1.2").put("channel", "presence-room")
                .put("auth", presenceAuth).put("channelData", channelData).toString()));
        assertThat(ok.get("ok").asBoolean()).isTrue();
        JsonNode wrongSocket = json(call("POST", "/internal/v1/channel-auth", internal,
                PusherCodec.json().createObjectNode().put("appId", SEEDED_ID).put("socketId", "9.9")
                        .put("channel", "presence-room").put("auth", presenceAuth).put("channelData", channelData)
                        .toString()));
        assertThat(wrongSocket.get("ok").asBoolean()).isFalse();
        assertThat(wrongSocket.get("reason").asString()).isNotEmpty().doesNotContain(SEEDED_SECRET);

        String userData = "{\"id\":\"u1\"}";
        String userAuth = ChannelSignatures.token(SEEDED_KEY, SEEDED_SECRET,
                ChannelSignatures.userStringToSign("1.2", userData));
        assertThat(json(call("POST", "/internal/v1/user-auth", internal, PusherCodec.json().createObjectNode()
                .put("appId", SEEDED_ID).put("socketId", "1.2").put("userData", userData).put("auth", userAuth)
                .toString())).get("ok").asBoolean()).isTrue();
        assertThat(call("POST", "/internal/v1/user-auth", internal, "{\"appId\":\"" + SEEDED_ID + "\"}")
                .getStatus().value()).isEqualTo(400);

        EntityExchangeResult<byte[]> byKey = call("GET", "/internal/v1/apps/by-key/" + SEEDED_KEY, internal, null);
        assertThat(json(byKey).get("id").asString()).isEqualTo(SEEDED_ID);
        assertThat(new String(byKey.getResponseBody(), StandardCharsets.UTF_8)).doesNotContain(SEEDED_SECRET)
                .doesNotContain("\"secret\"");
        assertThat(call("GET", "/internal/v1/apps/by-id/" + SEEDED_ID, internal, null).getStatus().value())
                .isEqualTo(200);
        assertThat(call("GET", "/internal/v1/apps/by-id/nope", internal, null).getStatus().value()).isEqualTo(404);
    }

    boolean channelAuthOk(String appId, String key, String secret) {
        String auth = ChannelSignatures.token(key, secret,
                ChannelSignatures.channelStringToSign("123.456", "private-x", null));
        EntityExchangeResult<byte[]> result = call("POST", "/internal/v1/channel-auth", "Bearer " + INTERNAL_TOKEN,
                PusherCodec.json().createObjectNode().put("appId", appId).put("socketId", "123.456")
                        .put("channel", "private-x").put("auth", auth).toString());
        assertThat(result.getStatus().value()).isEqualTo(200);
        return json(result).get("ok").asBoolean();
    }

    @Test
    void answersAnOversizedRequestLineOrHeadersWithHeraldsErrorBody() throws java.io.IOException {
        int port = io.herald.core.testing.ServerTesting.port(context);
        RawHttp.assertHeraldError(RawHttp.exchange(port, RawHttp.longUriRequest(10_000)), 414);
        RawHttp.assertHeraldError(RawHttp.exchange(port, RawHttp.hugeHeaderRequest("/admin/apps", 20_000)), 431);
    }
}
