package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in a real browser (Debian's headless Chromium): pusher-js connects, subscribes,
 * and an event published with the official server library appears in the table. The page's
 * pusher-js also proves watchlist events, which pusher-java-client does not implement.
 * The browser is {@link Chromium}'s.
 */
class DemoPageBrowserTest {

    static StandaloneServer server;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        // A list set in one place replaces the whole list of application.yml: the demo app is listed again.
        server = new StandaloneServer(Map.of(
                "herald.apps[0].id", "demo-app", "herald.apps[0].key", "demo-key", "herald.apps[0].secret", "demo-secret",
                "herald.apps[1].id", "watch-app", "herald.apps[1].key", "watch-key",
                "herald.apps[1].secret", "watch-secret", "herald.apps[1].watchlist-events", "true"));
        browser = Chromium.start();
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

    /** Signed-in pusher-js clients of watch-app, created in the page; {@code watchLog} collects ada's events. */
    private static final String WATCHLIST_SCRIPT = """
            const port = arguments[0];
            const done = arguments[arguments.length - 1];
            async function sign(socketId, userData) {
              const text = new TextEncoder();
              const key = await crypto.subtle.importKey('raw', text.encode('watch-secret'),
                  { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
              const mac = await crypto.subtle.sign('HMAC', key, text.encode(socketId + '::user::' + userData));
              return 'watch-key:' + Array.from(new Uint8Array(mac), b => b.toString(16).padStart(2, '0')).join('');
            }
            window.watchClient = (user) => {
              const userData = JSON.stringify(user);
              const pusher = new Pusher('watch-key', {
                cluster: 'herald', wsHost: '127.0.0.1', wsPort: port, forceTLS: false,
                enabledTransports: ['ws'], disableStats: true,
                userAuthentication: { customHandler: (params, callback) => sign(params.socketId, userData)
                    .then(auth => callback(null, { auth: auth, user_data: userData })) },
              });
              pusher.signin();
              return pusher;
            };
            window.watchLog = [];
            const ada = watchClient({ id: 'ada', watchlist: ['bob'] });
            ada.user.watchlist.bind('online', e => watchLog.push('online ' + e.user_ids.join(',')));
            ada.user.watchlist.bind('offline', e => watchLog.push('offline ' + e.user_ids.join(',')));
            done();
            """;

    @Test
    void pusherJsWatchlistSeesAUserComeOnlineAndGoOffline() {
        browser.get(server.http("/"));
        JavascriptExecutor page = (JavascriptExecutor) browser;
        page.executeAsyncScript(WATCHLIST_SCRIPT, server.port);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(driver -> "offline bob".equals(page.executeScript("return watchLog.join('|')")));

        page.executeScript("window.bob = watchClient({ id: 'bob' })");
        wait.until(driver -> "offline bob|online bob".equals(page.executeScript("return watchLog.join('|')")));

        page.executeScript("bob.disconnect()");
        wait.until(driver -> "offline bob|online bob|offline bob"
                .equals(page.executeScript("return watchLog.join('|')")));
    }
}
