package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.testing.OfficialClient;
import io.herald.core.web.PusherPathsSecurityBypass;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.web.server.WebFilterChainProxy;

/**
 * Spring Security, which comes with auth-service's jar, guards the admin and internal APIs of the
 * standalone server and nothing else: the WebSocket endpoint, the HTTP API, the demo page and
 * actuator answer as without it, and no generated password is logged. Without an admin token the
 * admin API is off, never open.
 */
@ExtendWith(OutputCaptureExtension.class)
class StandaloneSecurityTest {

    static final HttpClient http = HttpClient.newHttpClient();

    static HttpResponse<String> send(StandaloneServer server, String method, String path, String authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(path)))
                .header("Content-Type", "application/json")
                .method(method, "POST".equals(method) ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String key, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutAnAdminTokenTheAdminApiIsOffAndSaysHowToTurnItOn() throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of())) {
            for (String authorization : new String[] { null, "Bearer guessed-admin-token-0123456789",
                    "Bearer ", basic("demo-key", "demo-secret") }) {
                for (String[] call : new String[][] { { "POST", "/admin/apps" }, { "GET", "/admin/apps" },
                        { "GET", "/admin/apps/demo-app" }, { "POST", "/admin/apps/demo-app/rotate-secret" },
                        { "DELETE", "/admin/apps/demo-app" } }) {
                    HttpResponse<String> response = send(server, call[0], call[1], authorization);
                    assertThat(response.statusCode()).as(call[0] + " " + call[1] + " with " + authorization)
                            .isEqualTo(403);
                    assertThat(response.body()).contains("The admin API is off")
                            .contains("herald.auth.admin-token");
                }
            }
            // Nothing opens the internal API either: there is no token that could.
            assertThat(send(server, "GET", "/internal/v1/apps/by-key/demo-key", null).statusCode()).isEqualTo(401);
            assertThat(send(server, "GET", "/internal/v1/apps/by-key/demo-key", basic("demo-key", "demo-secret"))
                    .statusCode()).isEqualTo(403);
            // The demo app is untouched and still publishes.
            assertThat(server.publisher().trigger("demo", "e", Map.of("x", 1)).getHttpStatus()).isEqualTo(200);
        }
    }

    @Test
    void withTheAdminApiOnOtherRoutesAreNotBehindSpringSecurity(CapturedOutput output) throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.auth.admin-token",
                "standalone-admin-token-9d1f4c7a"))) {
            assertOtherRoutesAnswerThemselves(server);
            assertThat(send(server, "GET", "/admin/apps", null).statusCode()).isEqualTo(401);
        }
        assertThat(output.getAll()).doesNotContainIgnoringCase("generated security password")
                .doesNotContain("standalone-admin-token-9d1f4c7a");
    }

    /**
     * Spring Security's filter chain is kept off the Pusher paths (issue 10: it cost ~20 % of a
     * signed publish), and only off them: the admin, internal, dashboard and usage paths are guarded
     * as before, and a path that merely starts like a Pusher path but carries encoded characters or
     * dot segments still meets Spring Security's firewall.
     */
    @Test
    void pusherPathsSkipSpringSecurityWhileTheGuardedPathsStayGuarded() throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.auth.admin-token",
                "standalone-admin-token-9d1f4c7a"))) {
            assertThat(server.context.getBean(WebFilterChainProxy.class)).isInstanceOf(PusherPathsSecurityBypass.class);
            assertOtherRoutesAnswerThemselves(server);

            assertThat(send(server, "GET", "/admin/apps", null).statusCode()).isEqualTo(401);
            assertThat(send(server, "GET", "/admin/apps", "Bearer standalone-admin-token-9d1f4c7a").statusCode())
                    .isEqualTo(200);
            assertThat(send(server, "GET", "/admin/apps/demo-app", basic("demo-key", "wrong")).statusCode())
                    .isEqualTo(401);
            assertThat(send(server, "GET", "/internal/v1/apps/by-key/demo-key", null).statusCode()).isEqualTo(401);
            assertThat(send(server, "GET", "/dashboard/", null).statusCode()).isEqualTo(302);
            assertThat(send(server, "GET", "/usage/demo-app", null).statusCode()).isIn(302, 401);
            // Looks like a Pusher path, is not a plain one: Spring Security's firewall refuses it.
            assertThat(send(server, "GET", "/apps/demo-app/..%2F..%2Fadmin/apps", null).statusCode()).isEqualTo(400);
            assertThat(send(server, "GET", "/app/%2e%2e/admin/apps", null).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void withTheAuthRoleOffNothingIsBehindSpringSecurity(CapturedOutput output) throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.auth.enabled", "false"))) {
            assertOtherRoutesAnswerThemselves(server);
            // No admin API at all: no route.
            assertThat(send(server, "GET", "/admin/apps", null).statusCode()).isEqualTo(404);
        }
        assertThat(output.getAll()).doesNotContainIgnoringCase("generated security password");
    }

    /** Each answered by its own role, as without Spring Security: no 401 with a Basic challenge, no login page. */
    static void assertOtherRoutesAnswerThemselves(StandaloneServer server) throws Exception {
        HttpResponse<String> page = send(server, "GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("pusher-js");
        assertThat(send(server, "GET", "/demo/config", null).statusCode()).isEqualTo(200);
        assertThat(send(server, "GET", "/actuator/health", null).statusCode()).isEqualTo(200);

        // The HTTP API checks its own signatures: unsigned is its 401, signed is accepted.
        HttpResponse<String> unsigned = send(server, "POST", "/apps/demo-app/events", null);
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(unsigned.body()).contains("\"status\":401").doesNotContainIgnoringCase("login");
        assertThat(server.publisher().trigger("demo", "e", Map.of("x", 1)).getHttpStatus()).isEqualTo(200);

        // The WebSocket endpoint: pusher-java-client connects with the key alone.
        OfficialClient client = OfficialClient.connect("demo-key", server.port);
        try {
            assertThat(client.socketId).isNotBlank();
        }
        finally {
            client.pusher.disconnect();
        }
    }
}
