package io.herald.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by Selenium, for the browser tests of this module: the
 * browser at {@value #BINARY}, its driver at {@value #DRIVER} ({@code .ci/run} installs
 * {@code chromium} and {@code chromium-driver}). Missing, the test fails saying so, never skips.
 */
final class Chromium {

    static final String BINARY = "/usr/bin/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";

    /** Where screenshots go: the module's {@code target/screenshots}. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Chromium() {
    }

    /** A new headless browser with a fresh profile and a 1280×800 window. */
    static ChromeDriver start() {
        for (String file : new String[] { BINARY, DRIVER }) {
            if (!Files.isExecutable(Path.of(file))) {
                throw new IllegalStateException(file + " is missing: the browser tests need Chromium and its driver "
                        + "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
            }
        }
        try {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(BINARY);
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,800", "--hide-scrollbars",
                    "--user-data-dir=" + Files.createTempDirectory("herald-chromium"));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Path.of(DRIVER).toFile()).build();
            ChromeDriver browser = new ChromeDriver(service, options);
            // --window-size counts the window, not the page: make the page itself 1280×800.
            browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    java.util.Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
            return browser;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png}; returns the file. */
    static Path screenshot(WebDriver browser, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            return file;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
