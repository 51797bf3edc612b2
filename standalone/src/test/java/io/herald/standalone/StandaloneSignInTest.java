package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The standalone server's demo tenant: the README's first command shows a dashboard someone can
 * sign in to. The password is printed with the dashboard's URL (generated at start unless
 * {@code herald.demo.dashboard-password} is set), and it opens the demo app's usage, not others'.
 */
@ExtendWith(OutputCaptureExtension.class)
class StandaloneSignInTest {

    private static final Pattern PRINTED = Pattern.compile(
            "Dashboard  http://localhost:(\\d+)/dashboard/   user: demo   password: (\\S+)");

    @Test
    void theDemoTenantSignsInWithThePrintedPasswordAndReadsTheDemoAppOnly(CapturedOutput output) throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of(
                "herald.apps[0].id", "demo-app", "herald.apps[0].key", "demo-key", "herald.apps[0].secret",
                "demo-secret", "herald.apps[1].id", "shop", "herald.apps[1].key", "shop-key",
                "herald.apps[1].secret", "shop-secret-0123456789"))) {
            Matcher printed = PRINTED.matcher(output.getOut());
            assertThat(printed.find()).as(output.getOut()).isTrue();
            assertThat(printed.group(1)).isEqualTo(String.valueOf(server.port));
            assertThat(output.getOut()).contains("set HERALD_DEMO_DASHBOARD_PASSWORD");
            String password = printed.group(2);
            assertThat(password).hasSizeGreaterThanOrEqualTo(16);

            SignedInClient browser = new SignedInClient(server);
            assertThat(browser.get("/dashboard/").statusCode()).isEqualTo(302);
            HttpResponse<String> signIn = browser.signIn("demo", password);
            assertThat(signIn.statusCode()).isEqualTo(302);
            assertThat(signIn.headers().firstValue("Location")).hasValue("/dashboard/");
            assertThat(browser.get("/usage/apps/demo-app").statusCode()).isEqualTo(200);
            assertThat(browser.get("/usage/apps/shop").statusCode()).isEqualTo(404);

            // Another start, another password: the old one does not open it.
            assertThat(new SignedInClient(server).signIn("demo", "wrong-" + password).headers()
                    .firstValue("Location")).hasValue("/dashboard/login?error");
        }
    }

    @Test
    void aChosenPasswordIsUsedAndNoneIsGenerated(CapturedOutput output) throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.demo.dashboard-password",
                "chosen-demo-password"))) {
            assertThat(output.getOut()).contains("user: demo   password: chosen-demo-password")
                    .doesNotContain("set HERALD_DEMO_DASHBOARD_PASSWORD");
            SignedInClient browser = new SignedInClient(server);
            assertThat(browser.signIn("demo", "chosen-demo-password").headers().firstValue("Location"))
                    .hasValue("/dashboard/");
        }
    }

    @Test
    void withoutTheBuiltInDemoAppThereIsNoDemoTenantAndNothingIsPrinted(CapturedOutput output) throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.apps[0].id", "shop",
                "herald.apps[0].key", "shop-key", "herald.apps[0].secret", "shop-secret-0123456789",
                "herald.demo.dashboard-password", "would-be-demo-password"))) {
            assertThat(output.getOut()).doesNotContain("Dashboard  ").doesNotContain("would-be-demo-password");
            assertThat(new SignedInClient(server).signIn("demo", "would-be-demo-password").headers()
                    .firstValue("Location")).hasValue("/dashboard/login?error");
        }
    }

    /** java.net.http with a cookie jar, following no redirect: what a browser sends and gets. */
    static final class SignedInClient {

        private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]*)\"");

        final StandaloneServer server;
        final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();

        SignedInClient(StandaloneServer server) {
            this.server = server;
        }

        HttpResponse<String> get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(server.http(path))).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> signIn(String username, String password) throws Exception {
            Matcher token = CSRF.matcher(get("/dashboard/login").body());
            assertThat(token.find()).isTrue();
            String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password="
                    + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + token.group(1);
            return http.send(HttpRequest.newBuilder(URI.create(server.http("/dashboard/login")))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
