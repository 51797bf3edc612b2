package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.rest.data.Result;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser ({@link Chromium}), against the standalone server with every
 * role in one process: the demo tenant signs in, official clients (pusher-java-client) subscribe,
 * the official server library (pusher-http-java) publishes, and the page's charts, totals and
 * debug console show exactly that. A tenant cannot read an app it does not own, neither through
 * the page's URL nor through the APIs with its session (a second tenant, made with the admin API,
 * owns the other app). Screenshots in {@code target/screenshots}.
 */
class DashboardBrowserTest {

    private static final String PASSWORD = "dashboard-browser-test-password";
    private static final String RIVAL_PASSWORD = "dashboard-browser-test-rival-password";
    private static final String ADMIN_TOKEN = "dashboard-browser-test-admin-token";
    private static final Duration WAIT = Duration.ofSeconds(30);

    static StandaloneServer server;
    static WebDriver browser;
    /** The demo app's webhook endpoint, which fails every call: the failure log has something to show. */
    static HttpServer failingHooks;

    @BeforeAll
    static void start() throws Exception {
        failingHooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        failingHooks.createContext("/hooks", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        failingHooks.start();
        server = new StandaloneServer(Map.ofEntries(
                Map.entry("herald.apps[0].id", "demo-app"), Map.entry("herald.apps[0].key", "demo-key"),
                Map.entry("herald.apps[0].secret", "demo-secret"), Map.entry("herald.apps[0].name", "Demo app"),
                Map.entry("herald.apps[0].max-connections", "100"),
                Map.entry("herald.apps[0].max-messages-per-day", "10000"),
                Map.entry("herald.apps[0].webhooks[0].url",
                        "http://127.0.0.1:" + failingHooks.getAddress().getPort() + "/hooks"),
                Map.entry("herald.apps[0].webhooks[0].events", "channel_occupied"),
                Map.entry("herald.apps[1].id", "rival-app"), Map.entry("herald.apps[1].key", "rival-key"),
                Map.entry("herald.apps[1].secret", "rival-secret-0123456789"), Map.entry("herald.apps[1].name", "Rival app"),
                Map.entry("herald.demo.dashboard-password", PASSWORD),
                Map.entry("herald.auth.admin-token", ADMIN_TOKEN),
                // Counted usage reaches the series within a tenth of a second, not a second.
                Map.entry("herald.usage.flush-interval", "100ms")));
        // A second tenant owning the other app, made as an operator would: the admin API.
        admin("POST", "/admin/tenants", "{\"id\":\"rival\",\"name\":\"Rival Ltd\"}", 201);
        admin("POST", "/admin/tenants/rival/users",
                "{\"username\":\"rival\",\"password\":\"" + RIVAL_PASSWORD + "\"}", 201);
        admin("PUT", "/admin/tenants/rival/apps/rival-app", null, 200);
        browser = Chromium.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (failingHooks != null) {
            failingHooks.stop(0);
        }
    }

    private static void admin(String method, String path, String json, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(path)))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(10));
        request = json == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
    }

    /** Signs in as the demo tenant through the login form; lands on the dashboard. */
    private static void signIn() {
        signIn("demo", PASSWORD);
    }

    /** Signs in through the login form as {@code user}; lands on the dashboard. */
    private static void signIn(String user, String password) {
        browser.manage().deleteAllCookies();
        browser.get(server.http("/dashboard/"));
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.until(ExpectedConditions.urlContains("/dashboard/login"));
        browser.findElement(By.name("username")).sendKeys(user);
        browser.findElement(By.name("password")).sendKeys(password);
        Chromium.screenshot(browser, "dashboard-login");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlMatches("/dashboard/(\\?.*)?$"));
    }

    private static String text(String testId) {
        return browser.findElement(By.cssSelector("[data-testid='" + testId + "']")).getText();
    }

    /** Waits until {@code testId} reads {@code expected}, asking the page to refresh between looks. */
    private static void waitForText(String testId, String expected) {
        new WebDriverWait(browser, WAIT).pollingEvery(Duration.ofMillis(500)).until(driver -> {
            if (expected.equals(text(testId))) {
                return true;
            }
            browser.findElement(By.cssSelector("[data-testid='refresh']")).click();
            return false;
        });
    }

    private static long chartSum(String series) {
        Object sum = ((JavascriptExecutor) browser).executeScript(
                "return Chart.getChart('chart-' + arguments[0]).data.datasets[0].data.reduce((a, b) => a + b, 0)",
                series);
        return ((Number) sum).longValue();
    }

    @Test
    void theDemoTenantSeesWhatWasPublishedInTheChartsAndTheEventInTheDebugConsole() throws Exception {
        signIn();
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.until(driver -> "demo-app".equals(((JavascriptExecutor) driver)
                .executeScript("return document.getElementById('app').value")));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='console-state']"), "live"));

        List<OfficialClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                OfficialClient client = OfficialClient.connect("demo-key", server.port);
                clients.add(client);
                ChannelRecorder recorder = new ChannelRecorder();
                client.pusher.subscribe("orders", recorder, "order-placed");
                recorder.subscribed.get(10, TimeUnit.SECONDS);
            }
            com.pusher.rest.Pusher publisher = server.publisher();
            for (int i = 1; i <= 3; i++) {
                Result result = publisher.trigger("orders", "order-placed", Map.of("order", i));
                assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
            }
            publisher.close();

            // The debug console shows the API messages as they happen.
            wait.until(driver -> consoleRows().stream().anyMatch(row -> "api_message".equals(row.getDomAttribute(
                    "data-type")) && row.getText().contains("orders") && row.getText().contains("order-placed")));

            // 3 messages to a channel with 2 subscribers: 3 published, 6 delivered, 2 connections.
            waitForText("total-published", "3");
            waitForText("total-delivered", "6");
            waitForText("total-connections", "2");
            waitForText("total-peak_connections", "2");
            waitForText("current-connections", "2");
            waitForText("occupied-channels", "1");
            waitForText("messages-today", "3");
            // "orders" was occupied: the webhook call that announced it failed with 500, and says so.
            new WebDriverWait(browser, WAIT).pollingEvery(Duration.ofMillis(500)).until(driver -> {
                if (text("webhook-failures").contains("/hooks") && text("webhook-failures").contains("500")) {
                    return true;
                }
                browser.findElement(By.cssSelector("[data-testid='refresh']")).click();
                return false;
            });
            assertThat(text("connections-limit")).isEqualTo("of 100");
            assertThat(text("daily-limit")).isEqualTo("of 10,000");
            // What is drawn is what is written.
            assertThat(chartSum("published")).isEqualTo(3);
            assertThat(chartSum("delivered")).isEqualTo(6);
            Chromium.screenshot(browser, "dashboard");

            // The same usage over the last day (hours) and month (days).
            for (String range : new String[] { "day", "month" }) {
                browser.findElement(By.cssSelector("[data-testid='range-" + range + "']")).click();
                waitForText("total-published", "3");
                waitForText("total-delivered", "6");
                assertThat(chartSum("published")).as(range).isEqualTo(3);
            }
            browser.findElement(By.cssSelector("[data-testid='range-hour']")).click();

            // The console's filters: only subscriptions now, and pause holds events back.
            new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("console-type")))
                    .selectByVisibleText("subscribed");
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='console-state']"), "live"));
            browser.findElement(By.cssSelector("[data-testid='console-clear']")).click();
            OfficialClient third = OfficialClient.connect("demo-key", server.port);
            clients.add(third);
            ChannelRecorder recorder = new ChannelRecorder();
            third.pusher.subscribe("invoices", recorder);
            recorder.subscribed.get(10, TimeUnit.SECONDS);
            wait.until(driver -> consoleRows().stream().anyMatch(row -> row.getText().contains("invoices")));
            assertThat(consoleRows()).allMatch(row -> "subscribed".equals(row.getDomAttribute("data-type")));
            Chromium.screenshot(browser, "dashboard-console");

            // Paused, an event waits (and says so); resumed, it is shown.
            browser.findElement(By.cssSelector("[data-testid='console-pause']")).click();
            ChannelRecorder receipts = new ChannelRecorder();
            third.pusher.subscribe("receipts", receipts);
            receipts.subscribed.get(10, TimeUnit.SECONDS);
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='console-state']"),
                    "paused (1 waiting)"));
            assertThat(consoleRows()).noneMatch(row -> row.getText().contains("receipts"));
            browser.findElement(By.cssSelector("[data-testid='console-pause']")).click();
            assertThat(consoleRows()).anyMatch(row -> row.getText().contains("receipts"));
        }
        finally {
            for (OfficialClient client : clients) {
                client.close();
            }
        }
    }

    private static List<WebElement> consoleRows() {
        return browser.findElements(By.cssSelector("[data-testid='console-events'] tr"));
    }

    @Test
    void aTenantCannotReadAnAppItDoesNotOwnByUrlOrByApi() throws Exception {
        signIn();
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.until(driver -> !text("app-picker").isEmpty());
        assertThat(text("app-picker")).contains("demo-app").doesNotContain("rival-app");

        // By URL: the page asks for the app, the server answers as for an unknown app.
        browser.get(server.http("/dashboard/?app=rival-app"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid='message']")));
        assertThat(text("message")).containsIgnoringCase("unknown app");
        assertThat(text("current-connections")).isEqualTo("–");
        assertThat(text("total-published")).isEqualTo("–");
        Chromium.screenshot(browser, "dashboard-other-tenant");

        // By API, with the signed-in tenant's session: 404 everywhere, as for an app that does not exist.
        String cookies = browser.manage().getCookies().stream().map(c -> c.getName() + "=" + c.getValue())
                .collect(Collectors.joining("; "));
        assertThat(browser.manage().getCookies()).extracting(Cookie::isHttpOnly).contains(true);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (String path : new String[] { "/dashboard/api/apps/rival-app/summary", "/usage/apps/rival-app?step=hour",
                "/dashboard/api/apps/rival-app/console", "/dashboard/api/apps/nope/summary" }) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.http(path)))
                    .header("Cookie", cookies).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(404);
        }
        HttpResponse<String> own = http.send(HttpRequest.newBuilder(URI.create(server.http("/dashboard/api/apps")))
                .header("Cookie", cookies).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).contains("demo-app").doesNotContain("rival-app");
        // Without the session: nothing.
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(
                URI.create(server.http("/dashboard/api/apps/demo-app/summary"))).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        // And the other way round: the rival tenant sees its app, not the demo tenant's.
        signIn("rival", RIVAL_PASSWORD);
        wait.until(driver -> !text("app-picker").isEmpty());
        assertThat(text("app-picker")).contains("rival-app").doesNotContain("demo-app");
        browser.get(server.http("/dashboard/?app=demo-app"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid='message']")));
        assertThat(text("message")).containsIgnoringCase("unknown app");

        // Signing out (the page's form, with the CSRF cookie's token) ends the session.
        browser.findElement(By.cssSelector("#logout button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/dashboard/login"));
        browser.get(server.http("/dashboard/"));
        wait.until(ExpectedConditions.urlContains("/dashboard/login"));
    }
}
