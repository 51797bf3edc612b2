package io.herald.core.warmup;

import io.herald.core.app.App;
import io.herald.core.app.AppFeatures;
import io.herald.core.app.AppLimits;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The internal app the start-up warm-up connects with: id, key and secret random for each start,
 * so nobody can guess them, and known only while the warm-up runs ({@link #active()}). The app
 * store answers it only then, its meters are denied and its usage is not counted, so it is never
 * visible to tenants, in usage or in metrics.
 */
public final class WarmupApp {

    private final App app;
    private volatile boolean active;

    WarmupApp() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String random = HexFormat.of().formatHex(bytes);
        this.app = new App("herald-warmup-" + random.substring(0, 16), "herald-warmup-" + random.substring(16, 32),
                random.substring(32), "Herald start-up warm-up", true, AppLimits.DEFAULTS, AppFeatures.DEFAULTS,
                List.of(), null, null);
    }

    public App app() {
        return app;
    }

    /** Whether this is the warm-up app's id (whether or not the warm-up is running). */
    public boolean isWarmupApp(String appId) {
        return app.id().equals(appId);
    }

    boolean active() {
        return active;
    }

    void active(boolean active) {
        this.active = active;
    }
}
