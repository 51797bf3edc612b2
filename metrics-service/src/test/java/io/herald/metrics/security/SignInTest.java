package io.herald.metrics.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
import io.herald.metrics.MetricsServiceApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Sign-in and who reads what on metrics-service, through a real server over HTTP with cookies as
 * a browser keeps them: tenants' users read their own apps only (another tenant's app is 404, as
 * an unknown one), the operator reads all, CSRF guards session requests, failed sign-ins are
 * throttled. In memory here; {@code RedisSignInTest} runs the same on the state Redis.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInTest {

    static final String TOKEN = "sign-in-test-admin-token";
    static final String ALICE_PASSWORD = "alice-password-1";
    static final String BOB_PASSWORD = "bob-password-22";

    final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    ConfigurableApplicationContext context;
    Browser browser;

    /** Properties of the variant (the Redis one adds the state Redis). */
    List<String> variant() {
        return List.of();
    }

    /** A test-only endpoint: what {@link AppAccess#readableApps} answers the caller. */
    @Configuration(proxyBeanMethods = false)
    static class ReadableApps {

        @Bean
        RouterFunction<ServerResponse> readableAppsProbe(AppAccess access) {
            return RouterFunctions.route().GET("/dashboard/api/test/readable", request ->
                    access.readableApps(request.exchange()).flatMap(ids -> ServerResponse.ok().bodyValue(ids))
                            .onErrorResume(io.herald.core.error.ApiException.class,
                                    ex -> ServerResponse.status(ex.status()).build()))
                    .build();
        }
    }

    ConfigurableApplicationContext start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--herald.auth.admin-token=" + TOKEN,
                "--herald.dashboard.max-failures-per-user=3", "--herald.dashboard.max-failures-per-address=100",
                "--herald.apps[0].id=app-a", "--herald.apps[0].key=key-a", "--herald.apps[0].secret=secret-a",
                "--herald.apps[1].id=app-b", "--herald.apps[1].key=key-b", "--herald.apps[1].secret=secret-b",
                "--herald.apps[2].id=app-c", "--herald.apps[2].key=key-c", "--herald.apps[2].secret=secret-c"));
        args.addAll(variant());
        args.addAll(List.of(extra));
        ConfigurableApplicationContext started = MetricsServiceApplication.builder().sources(ReadableApps.class)
                .run(args.toArray(String[]::new));
        contexts.add(started);
        return started;
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** This test's users (fresh names per test: one server serves every test, and its throttle remembers). */
    String alice;
    String bob;
    int test;

    @BeforeEach
    void startAndSeed() {
        if (context == null) {
            // Once per class (started here, not in @BeforeAll, so that a subclass's Redis is up first).
            context = start();
        }
        browser = new Browser(port(context));
        test++;
        alice = "alice-" + test;
        bob = "bob-" + test;
        TenantStore tenants = context.getBean(TenantStore.class);
        TenantPasswords passwords = context.getBean(TenantPasswords.class);
        Duration t = Duration.ofSeconds(20);
        tenants.create("acme", "Acme").block(t);
        tenants.addUser("acme", alice, passwords.hash(ALICE_PASSWORD).block(t)).block(t);
        tenants.assignApp("acme", "app-a").block(t);
        tenants.assignApp("acme", "app-c").block(t);
        tenants.create("globex", "Globex").block(t);
        tenants.addUser("globex", bob, passwords.hash(BOB_PASSWORD).block(t)).block(t);
        tenants.assignApp("globex", "app-b").block(t);
    }

    /** Frees the tenant ids and apps for the next test. */
    @AfterEach
    void deleteTenants() {
        TenantStore tenants = context.getBean(TenantStore.class);
        tenants.delete("acme").block(Duration.ofSeconds(30));
        tenants.delete("globex").block(Duration.ofSeconds(30));
    }

    /** All at the end: closing one server mid-class would dispose the Reactor Netty resources the others share. */
    @AfterAll
    void stop() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void withoutCredentialsPagesRedirectToTheSignInPageAndApisAre401() {
        EntityExchangeResult<byte[]> page = browser.get("/dashboard/");
        assertThat(page.getStatus().value()).isEqualTo(302);
        assertThat(Browser.location(page)).isEqualTo("/dashboard/login");

        for (String api : List.of("/usage/apps/app-a", "/dashboard/api/test/readable")) {
            EntityExchangeResult<byte[]> answer = browser.get(api);
            assertThat(answer.getStatus().value()).as(api).isEqualTo(401);
            assertThat(Browser.body(answer)).contains("\"error\"");
        }
        // Still open: the OpenAPI description and the sign-in page itself.
        assertThat(browser.get("/usage/openapi.json").getStatus().value()).isEqualTo(200);
        String form = Browser.body(browser.get("/dashboard/login"));
        assertThat(form).contains("name=\"username\"").contains("name=\"password\"").contains("name=\"_csrf\"")
                .contains("type=\"submit\"").contains("action=\"/dashboard/login\"").doesNotContain("http://")
                .doesNotContain("https://");
    }

    @Test
    void aTenantUserReadsItsOwnAppsOnlyAndAnotherTenantsAppIsNotFound() {
        EntityExchangeResult<byte[]> signedIn = browser.signIn(alice.toUpperCase(java.util.Locale.ROOT), ALICE_PASSWORD);
        assertThat(signedIn.getStatus().value()).isEqualTo(302);
        assertThat(Browser.location(signedIn)).isEqualTo("/dashboard/");
        assertThat(Browser.setCookie(signedIn, SessionContextRepository.COOKIE)).containsIgnoringCase("HttpOnly")
                .contains("SameSite=Lax").contains("Path=/").doesNotContain("Secure");

        assertThat(browser.get("/usage/apps/app-a?step=hour").getStatus().value()).isEqualTo(200);
        assertThat(Browser.body(browser.get("/usage/apps/app-c"))).contains("\"app_id\":\"app-c\"");
        for (String other : List.of("app-b", "unknown-app", "*")) {
            EntityExchangeResult<byte[]> answer = browser.get("/usage/apps/" + other);
            assertThat(answer.getStatus().value()).as(other).isEqualTo(404);
        }
        assertThat(Browser.body(browser.get("/dashboard/api/test/readable"))).isEqualTo("[\"app-a\",\"app-c\"]");

        Browser other = new Browser(port(context));
        other.signIn(bob, BOB_PASSWORD);
        assertThat(Browser.body(other.get("/dashboard/api/test/readable"))).isEqualTo("[\"app-b\"]");
        assertThat(other.get("/usage/apps/app-a").getStatus().value()).isEqualTo(404);
    }

    @Test
    void theOperatorsTokenReadsEveryAppWithoutSessionOrCsrf() {
        String bearer = "Bearer " + TOKEN;
        for (String app : List.of("app-a", "app-b", "*", "not-registered")) {
            assertThat(browser.get("/usage/apps/" + app, HttpHeaders.AUTHORIZATION, bearer).getStatus().value())
                    .as(app).isEqualTo(200);
        }
        assertThat(Browser.body(browser.get("/dashboard/api/test/readable", HttpHeaders.AUTHORIZATION, bearer)))
                .isEqualTo("[\"app-a\",\"app-b\",\"app-c\"]");
        assertThat(browser.cookies).doesNotContainKey(SessionContextRepository.COOKIE);
        assertThat(browser.get("/usage/apps/app-a", HttpHeaders.AUTHORIZATION, "Bearer wrong").getStatus().value())
                .isEqualTo(401);
        // A bearer request needs no CSRF token (a wrong one is refused for its token, not for CSRF).
        assertThat(browser.post("/dashboard/logout", Map.of(), HttpHeaders.AUTHORIZATION, "Bearer wrong")
                .getStatus().value()).isEqualTo(401);
    }

    @Test
    void sessionRequestsThatChangeSomethingNeedTheCsrfToken() {
        // The sign-in form itself.
        browser.signInPageToken();
        EntityExchangeResult<byte[]> noToken = browser.post("/dashboard/login",
                Map.of("username", alice, "password", ALICE_PASSWORD));
        assertThat(noToken.getStatus().value()).isEqualTo(403);
        assertThat(browser.cookies).doesNotContainKey(SessionContextRepository.COOKIE);

        String beforeSignIn = browser.signInPageToken();
        browser.signIn(alice, ALICE_PASSWORD);
        // Signing in ends the sign-in page's token; the next page has a new one.
        assertThat(browser.cookies).doesNotContainKey(CsrfCookies.COOKIE);
        assertThat(browser.get("/usage/apps/app-a").getStatus().value()).isEqualTo(200);
        assertThat(browser.cookies.get(CsrfCookies.COOKIE)).isNotNull().isNotEqualTo(beforeSignIn);
        assertThat(browser.post("/dashboard/logout", Map.of(), CsrfCookies.HEADER, beforeSignIn).getStatus().value())
                .isEqualTo(403);
        assertThat(browser.post("/dashboard/logout", Map.of()).getStatus().value()).isEqualTo(403);
        assertThat(browser.post("/dashboard/logout", Map.of("_csrf", "forged")).getStatus().value()).isEqualTo(403);
        assertThat(browser.get("/usage/apps/app-a").getStatus().value()).isEqualTo(200);

        // With the cookie's token (as the dashboard's script sends it), sign-out works and ends the session.
        String session = browser.cookies.get(SessionContextRepository.COOKIE);
        EntityExchangeResult<byte[]> out = browser.post("/dashboard/logout", Map.of(),
                CsrfCookies.HEADER, browser.cookies.get(CsrfCookies.COOKIE));
        assertThat(out.getStatus().value()).isEqualTo(302);
        assertThat(Browser.location(out)).isEqualTo("/dashboard/login?logout");
        assertThat(browser.get("/usage/apps/app-a").getStatus().value()).isEqualTo(401);
        // Nor does the old cookie work when replayed.
        browser.cookies.put(SessionContextRepository.COOKIE, session);
        assertThat(browser.get("/usage/apps/app-a").getStatus().value()).isEqualTo(401);
    }

    @Test
    void failedSignInsAreThrottledAlikeForKnownAndUnknownUsernames() {
        List<Integer> known = new ArrayList<>();
        List<Integer> unknown = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            known.add(browser.signIn(alice, "wrong-password").getStatus().value());
            unknown.add(browser.signIn("nobody-" + test, "wrong-password").getStatus().value());
        }
        assertThat(known).containsExactly(302, 302, 302, 429);
        assertThat(unknown).isEqualTo(known);

        // Throttled, even the right password is refused, with Retry-After and a clear message.
        EntityExchangeResult<byte[]> refused = browser.signIn(alice, ALICE_PASSWORD);
        assertThat(refused.getStatus().value()).isEqualTo(429);
        long retryAfter = Long.parseLong(refused.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER));
        assertThat(retryAfter).isBetween(1L, 15 * 60L);
        assertThat(Browser.body(refused)).contains("Too many failed sign-in attempts").contains("name=\"_csrf\"");
        assertThat(browser.cookies).doesNotContainKey(SessionContextRepository.COOKIE);
        // Another user is not affected.
        assertThat(Browser.location(browser.signIn(bob, BOB_PASSWORD))).isEqualTo("/dashboard/");
    }

    @Test
    void aWrongPasswordSaysOnlyThatTheUsernameOrPasswordIsWrong() {
        EntityExchangeResult<byte[]> wrong = browser.signIn(alice, "not-her-password");
        assertThat(Browser.location(wrong)).isEqualTo("/dashboard/login?error");
        assertThat(Browser.body(browser.get("/dashboard/login?error"))).contains("Wrong username or password.");
        assertThat(browser.cookies).doesNotContainKey(SessionContextRepository.COOKIE);
    }

    @Test
    void behindTlsTheCookiesAreSecure() {
        EntityExchangeResult<byte[]> signedIn = browser.signIn(alice, ALICE_PASSWORD, "X-Forwarded-Proto", "https");
        assertThat(Browser.setCookie(signedIn, SessionContextRepository.COOKIE)).contains("Secure");
        Browser other = new Browser(port(context));
        EntityExchangeResult<byte[]> page = other.get("/dashboard/login", "X-Forwarded-Proto", "https");
        assertThat(Browser.setCookie(page, CsrfCookies.COOKIE)).contains("Secure").contains("SameSite=Lax");
    }

    @Test
    void aPasswordChangeOrARemovedUserEndsTheSession() {
        browser.signIn(alice, ALICE_PASSWORD);
        assertThat(browser.get("/usage/apps/app-a").getStatus().value()).isEqualTo(200);
        TenantStore tenants = context.getBean(TenantStore.class);
        TenantPasswords passwords = context.getBean(TenantPasswords.class);
        tenants.setPassword("acme", alice, passwords.hash("another-password").block(Duration.ofSeconds(20)))
                .block(Duration.ofSeconds(30));
        assertThat(browser.get("/usage/apps/app-a").getStatus().value()).isEqualTo(401);

        Browser other = new Browser(port(context));
        other.signIn(bob, BOB_PASSWORD);
        assertThat(other.get("/usage/apps/app-b").getStatus().value()).isEqualTo(200);
        tenants.removeUser("globex", bob).block(Duration.ofSeconds(30));
        assertThat(other.get("/usage/apps/app-b").getStatus().value()).isEqualTo(401);
    }

    @Test
    void aTenantFromConfigurationSignsIn() {
        // app-d: the apps of the other tests are owned already (in the Redis variant, in the same store).
        ConfigurableApplicationContext configured = start("--herald.apps[3].id=app-d", "--herald.apps[3].key=key-d",
                "--herald.apps[3].secret=secret-d", "--herald.tenants[0].id=initech",
                "--herald.tenants[0].apps[0]=app-d", "--herald.tenants[0].users[0].username=peter",
                "--herald.tenants[0].users[0].password=configured-password-1");
        Browser peter = new Browser(port(configured));
        TenantStore tenants = configured.getBean(TenantStore.class);
        // Written in the background at start; waiting on the store, not on sign-ins (which would be throttled).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                tenants.findByUsername("peter").blockOptional(Duration.ofSeconds(5))
                        .map(tenant -> tenant.owns("app-d")).orElse(false));
        assertThat(Browser.location(peter.signIn("peter", "configured-password-1"))).isEqualTo("/dashboard/");
        assertThat(Browser.body(peter.get("/dashboard/api/test/readable"))).isEqualTo("[\"app-d\"]");
    }
}
