package io.herald.core.tenant;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Tenants declared in configuration ({@code herald.tenants[n].*}), written to the
 * {@link TenantStore} at start where they are missing ({@link TenantSeed}).
 *
 * @param tenants the tenants; may be empty
 */
@ConfigurationProperties("herald")
public record TenantsProperties(List<TenantProperties> tenants) {

    public TenantsProperties {
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < tenants.size(); i++) {
            tenants.get(i).check("herald.tenants[" + i + "]", problems);
        }
        if (!problems.isEmpty()) {
            // Property names only, never a password.
            throw new IllegalArgumentException("Invalid tenants configuration: " + String.join("; ", problems));
        }
    }

    /**
     * One tenant.
     *
     * @param id the tenant's id (letters, digits, {@code -} and {@code _})
     * @param name a name for people; defaults to the id
     * @param apps the ids of the apps it owns
     * @param users its users
     */
    public record TenantProperties(String id, String name, List<String> apps, List<UserProperties> users) {

        public TenantProperties {
            apps = apps == null ? List.of() : List.copyOf(apps);
            users = users == null ? List.of() : List.copyOf(users);
        }

        void check(String where, List<String> problems) {
            if (id == null || !io.herald.core.names.Names.isValidAppId(id)) {
                problems.add(where + ".id must be 1-64 letters, digits, '-' or '_'");
            }
            for (int i = 0; i < apps.size(); i++) {
                if (!io.herald.core.names.Names.isValidAppId(apps.get(i))) {
                    problems.add(where + ".apps[" + i + "] must be an app id");
                }
            }
            for (int i = 0; i < users.size(); i++) {
                users.get(i).check(where + ".users[" + i + "]", problems);
            }
        }
    }

    /**
     * One user: exactly one of {@code password} and {@code passwordHash}.
     *
     * @param username the username (unique across the cluster)
     * @param password the password, hashed at start (keep it out of files: an environment variable)
     * @param passwordHash a Spring Security password hash, such as {@code {bcrypt}$2a$10$…}
     */
    public record UserProperties(String username, String password, String passwordHash) {

        void check(String where, List<String> problems) {
            if (!Tenant.isValidUsername(username)) {
                problems.add(where + ".username must be 1-" + Tenant.MAX_USERNAME + " letters, digits or . _ @ + -");
            }
            boolean plain = password != null && !password.isEmpty();
            boolean hashed = passwordHash != null && !passwordHash.isEmpty();
            if (plain == hashed) {
                problems.add(where + " needs exactly one of password and password-hash");
            }
            else if (plain && TenantPasswords.problem(password) != null) {
                problems.add(where + ".password: " + TenantPasswords.problem(password));
            }
            else if (hashed && !passwordHash.startsWith("{")) {
                problems.add(where + ".password-hash must name its algorithm, such as {bcrypt}$2a$10$...");
            }
        }

        @Override
        public String toString() {
            return "UserProperties[username=" + username + ", password hidden]";
        }
    }
}
