package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in a real browser (Debian's headless Chromium): pusher-js connects, subscribes,
 * and an event published with the official server library appears in the table.
 * {@code .ci/run} installs {@code chromium} and {@code chromium-driver}.
 */
class DemoPageBrowserTest {

    static StandaloneServer server;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        server = new StandaloneServer(Map.of());
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory("herald-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        server.close();
    }

    @Test
    void showsEventsPublishedThroughTheHttpApi() throws Exception {
        browser.get(server.http("/"));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(ExpectedConditions.textToBe(By.id("state"), "connected"));
        wait.until(ExpectedConditions.textToBe(By.id("subscription"), "subscribed to demo"));
        assertThat(browser.findElement(By.id("curl")).getText()).contains("/apps/demo-app/events");

        com.pusher.rest.Pusher publisher = server.publisher();
        assertThat(publisher.trigger("demo", "greeting", Map.of("text", "hello browser")).getHttpStatus())
                .isEqualTo(200);
        publisher.close();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), "greeting"));
        assertThat(browser.findElement(By.id("events")).getText()).contains("{\"text\":\"hello browser\"}");
    }
}
