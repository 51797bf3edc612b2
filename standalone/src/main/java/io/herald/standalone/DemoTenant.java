package io.herald.standalone;

import io.herald.core.app.App;
import io.herald.core.tenant.TenantConflictException;
import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo tenant of the standalone server: tenant {@value #ID} owning the demo app, with the user
 * {@value #USERNAME} and the password {@code herald.demo.dashboard-password} (generated at each
 * start when it is not set), so the dashboard of the README's first command has someone to sign
 * in. Made only for the built-in demo app (as its secret, the password is printed in the start-up
 * summary and nowhere else).
 *
 * @param password the demo user's password, or {@code null} when there is no demo tenant
 * @param generated whether it was generated at this start
 */
record DemoTenant(String password, boolean generated) {

    static final String ID = "demo";
    static final String USERNAME = "demo";

    private static final Logger log = LoggerFactory.getLogger(DemoTenant.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    static final DemoTenant NONE = new DemoTenant(null, false);

    /**
     * Makes (or brings up to date, in a state Redis that has it from an earlier start) the demo
     * tenant; at start-up, on the main thread, so it may wait.
     */
    static DemoTenant seed(App demoApp, DemoProperties demo, TenantStore tenants, TenantPasswords passwords) {
        if (demoApp == null || tenants == null || passwords == null) {
            return NONE;
        }
        boolean generated = demo.dashboardPassword() == null || demo.dashboardPassword().isBlank();
        String password = generated ? generate() : demo.dashboardPassword();
        String hash = passwords.hash(password).block(WAIT);
        tenants.create(ID, "Demo tenant").onErrorResume(TenantConflictException.class, ex -> tenants.findById(ID))
                .block(WAIT);
        if (tenants.setPassword(ID, USERNAME, hash).blockOptional(WAIT).isEmpty()) {
            tenants.addUser(ID, USERNAME, hash).block(WAIT);
        }
        try {
            tenants.assignApp(ID, demoApp.id()).block(WAIT);
        }
        catch (TenantConflictException ex) {
            log.warn("The demo app {} belongs to another tenant: the demo tenant does not own it", demoApp.id());
        }
        return new DemoTenant(password, generated);
    }

    private static String generate() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "DemoTenant[password=" + (password == null ? "none" : "(set)") + "]";
    }
}
