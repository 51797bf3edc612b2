package io.herald.auth;

import static io.herald.auth.AuthServiceRunner.ADMIN_TOKEN;
import static io.herald.auth.AuthServiceRunner.INTERNAL_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.protocol.PusherCodec;
import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The admin API's tenants on a real auth-service over a real Redis: tenants, users (passwords
 * stored only as bcrypt hashes, never answered or logged), app ownership, validation, and that only
 * the operator may call it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class TenantAdminApiTest {

    static final String APP_SECRET = "tenant-test-app-secret-1";
    static final Duration WAIT = Duration.ofSeconds(30);

    RedisServer redis;
    ConfigurableApplicationContext context;
    WebTestClient http;

    @BeforeAll
    void start() {
        redis = RedisServer.start();
        context = AuthServiceRunner.start(new TestClock(),
                "--herald.redis.state=" + redis.uri(),
                "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                "--herald.apps[0].id=app-1", "--herald.apps[0].key=key-1", "--herald.apps[0].secret=" + APP_SECRET,
                "--herald.apps[1].id=app-2", "--herald.apps[1].key=key-2", "--herald.apps[1].secret=" + APP_SECRET + "2");
        http = AuthServiceRunner.client(context);
    }

    @AfterAll
    void stop() {
        context.close();
        redis.close();
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

    static JsonNode json(EntityExchangeResult<byte[]> result) {
        return PusherCodec.json().readTree(result.getResponseBody());
    }

    static String text(EntityExchangeResult<byte[]> result) {
        byte[] body = result.getResponseBody();
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    @Test
    void tenantsAreCreatedListedRenamedAndDeleted() {
        EntityExchangeResult<byte[]> created = admin("POST", "/admin/tenants", "{\"id\":\"crud\",\"name\":\"Crud Inc\"}");
        assertThat(created.getStatus().value()).isEqualTo(201);
        assertThat(text(created)).isEqualTo("{\"id\":\"crud\",\"name\":\"Crud Inc\",\"apps\":[],\"users\":[]}");
        EntityExchangeResult<byte[]> generated = admin("POST", "/admin/tenants", null);
        assertThat(generated.getStatus().value()).isEqualTo(201);
        String generatedId = json(generated).get("id").asString();
        assertThat(generatedId).matches("\\d{7}");

        assertThat(json(admin("GET", "/admin/tenants", null)).get("tenants").findValuesAsString("id"))
                .contains("crud", generatedId);
        assertThat(json(admin("PATCH", "/admin/tenants/crud", "{\"name\":\"Renamed\"}")).get("name").asString())
                .isEqualTo("Renamed");
        assertThat(json(admin("GET", "/admin/tenants/crud", null)).get("name").asString()).isEqualTo("Renamed");

        assertThat(admin("POST", "/admin/tenants", "{\"id\":\"crud\"}").getStatus().value()).isEqualTo(409);
        assertThat(admin("DELETE", "/admin/tenants/crud", null).getStatus().value()).isEqualTo(204);
        assertThat(admin("DELETE", "/admin/tenants/crud", null).getStatus().value()).isEqualTo(404);
        EntityExchangeResult<byte[]> gone = admin("GET", "/admin/tenants/crud", null);
        assertThat(gone.getStatus().value()).isEqualTo(404);
        assertThat(json(gone).get("error").asString()).contains("No tenant with id crud");
    }

    @Test
    void usersAreStoredWithAHashOnlyAndTheirPasswordsAreNeverAnsweredOrLogged(CapturedOutput output) {
        admin("POST", "/admin/tenants", "{\"id\":\"users-t\"}");
        String password = "first-password-7731";
        EntityExchangeResult<byte[]> added = admin("POST", "/admin/tenants/users-t/users",
                "{\"username\":\"Alice@Example.com\",\"password\":\"" + password + "\"}");
        assertThat(added.getStatus().value()).isEqualTo(201);
        assertThat(text(added)).contains("{\"username\":\"alice@example.com\"}").doesNotContain(password)
                .doesNotContain("bcrypt").doesNotContain("$2");

        TenantStore store = context.getBean(TenantStore.class);
        TenantPasswords passwords = context.getBean(TenantPasswords.class);
        String hash = store.findByUsername("alice@example.com").block(WAIT).passwordHash("alice@example.com");
        assertThat(hash).startsWith("{bcrypt}$2").doesNotContain(password);
        assertThat(passwords.matches(password, hash).block(WAIT)).isTrue();

        // The same username is taken for every tenant.
        admin("POST", "/admin/tenants", "{\"id\":\"users-other\"}");
        assertThat(admin("POST", "/admin/tenants/users-other/users",
                "{\"username\":\"alice@example.com\",\"password\":\"another-password\"}").getStatus().value())
                .isEqualTo(409);

        String changed = "second-password-5521";
        assertThat(admin("PUT", "/admin/tenants/users-t/users/alice@example.com/password",
                "{\"password\":\"" + changed + "\"}").getStatus().value()).isEqualTo(204);
        String newHash = store.findById("users-t").block(WAIT).passwordHash("alice@example.com");
        assertThat(passwords.matches(changed, newHash).block(WAIT)).isTrue();
        assertThat(passwords.matches(password, newHash).block(WAIT)).isFalse();
        assertThat(admin("PUT", "/admin/tenants/users-t/users/bob/password", "{\"password\":\"whatever-123\"}")
                .getStatus().value()).isEqualTo(404);

        assertThat(admin("DELETE", "/admin/tenants/users-t/users/alice@example.com", null).getStatus().value())
                .isEqualTo(204);
        assertThat(admin("DELETE", "/admin/tenants/users-t/users/alice@example.com", null).getStatus().value())
                .isEqualTo(404);
        assertThat(store.findByUsername("alice@example.com").blockOptional(WAIT)).isEmpty();

        assertThat(output.getAll()).doesNotContain(password).doesNotContain(changed).doesNotContain(hash)
                .doesNotContain(newHash);
    }

    @Test
    void appsAreAssignedToOneTenantAtMostAndADeletedAppHasNoOwner() {
        admin("POST", "/admin/tenants", "{\"id\":\"owner-a\"}");
        admin("POST", "/admin/tenants", "{\"id\":\"owner-b\"}");
        EntityExchangeResult<byte[]> assigned = admin("PUT", "/admin/tenants/owner-a/apps/app-1", null);
        assertThat(assigned.getStatus().value()).isEqualTo(200);
        assertThat(json(assigned).get("apps").get(0).asString()).isEqualTo("app-1");
        assertThat(admin("PUT", "/admin/tenants/owner-a/apps/app-1", null).getStatus().value()).isEqualTo(200);

        EntityExchangeResult<byte[]> taken = admin("PUT", "/admin/tenants/owner-b/apps/app-1", null);
        assertThat(taken.getStatus().value()).isEqualTo(409);
        assertThat(json(taken).get("error").asString()).contains("app-1");
        assertThat(admin("PUT", "/admin/tenants/owner-b/apps/no-such-app", null).getStatus().value()).isEqualTo(404);
        assertThat(admin("PUT", "/admin/tenants/no-such-tenant/apps/app-2", null).getStatus().value()).isEqualTo(404);

        assertThat(json(admin("DELETE", "/admin/tenants/owner-a/apps/app-1", null)).get("apps").size()).isZero();
        assertThat(admin("DELETE", "/admin/tenants/owner-a/apps/app-1", null).getStatus().value()).isEqualTo(404);
        assertThat(admin("PUT", "/admin/tenants/owner-b/apps/app-1", null).getStatus().value()).isEqualTo(200);

        // Deleting an app ends its ownership: an app made again with its id starts with no owner.
        admin("POST", "/admin/apps", "{\"id\":\"short-lived\"}");
        admin("PUT", "/admin/tenants/owner-a/apps/short-lived", null);
        assertThat(admin("DELETE", "/admin/apps/short-lived", null).getStatus().value()).isEqualTo(204);
        assertThat(json(admin("GET", "/admin/tenants/owner-a", null)).get("apps").size()).isZero();
        assertThat(context.getBean(TenantStore.class).findByApp("short-lived").blockOptional(WAIT)).isEmpty();
    }

    @Test
    void badRequestsAreRefusedWithAllTheirProblemsAndNothingChanges() {
        EntityExchangeResult<byte[]> badTenant = admin("POST", "/admin/tenants",
                "{\"id\":\"bad id!\",\"name\":\"\",\"owner\":\"x\"}");
        assertThat(badTenant.getStatus().value()).isEqualTo(400);
        assertThat(json(badTenant).get("status").asInt()).isEqualTo(400);
        assertThat(json(badTenant).get("error").asString()).contains("id must be").contains("name must be")
                .contains("owner");

        admin("POST", "/admin/tenants", "{\"id\":\"valid\"}");
        EntityExchangeResult<byte[]> badUser = admin("POST", "/admin/tenants/valid/users",
                "{\"username\":\"no spaces\",\"password\":\"short\"}");
        assertThat(badUser.getStatus().value()).isEqualTo(400);
        assertThat(json(badUser).get("error").asString()).contains("username must be").contains("at least 8")
                .doesNotContain("short\"");
        assertThat(admin("POST", "/admin/tenants/valid/users", "{\"username\":\"x\",\"password\":\""
                + "p".repeat(73) + "\"}").getStatus().value()).isEqualTo(400);
        assertThat(admin("POST", "/admin/tenants/valid/users", "not json").getStatus().value()).isEqualTo(400);
        assertThat(admin("POST", "/admin/tenants/nobody/users", "{\"username\":\"x\",\"password\":\"long-enough\"}")
                .getStatus().value()).isEqualTo(404);
        assertThat(json(admin("GET", "/admin/tenants/valid", null)).get("users").size()).isZero();
    }

    @Test
    void onlyTheOperatorMayCallIt() {
        String tenantApp = "Basic " + Base64.getEncoder().encodeToString(("key-1:" + APP_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        for (String[] request : new String[][] { { "GET", "/admin/tenants" }, { "POST", "/admin/tenants" },
                { "GET", "/admin/tenants/x" }, { "PUT", "/admin/tenants/x/apps/app-1" },
                { "POST", "/admin/tenants/x/users" } }) {
            String what = request[0] + " " + request[1];
            assertThat(call(request[0], request[1], null, "{}").getStatus().value()).as(what).isEqualTo(401);
            assertThat(call(request[0], request[1], tenantApp, "{}").getStatus().value()).as(what).isEqualTo(403);
            assertThat(call(request[0], request[1], "Bearer " + INTERNAL_TOKEN, "{}").getStatus().value()).as(what)
                    .isEqualTo(403);
        }
        assertThat(context.getBean(TenantStore.class).findById("x").blockOptional(WAIT)).isEmpty();
    }
}
