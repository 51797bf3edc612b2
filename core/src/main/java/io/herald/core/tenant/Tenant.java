package io.herald.core.tenant;

import io.herald.core.names.Names;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A tenant: an account that owns apps and has users who sign in to its dashboard.
 *
 * <p>Ownership is kept here, not in {@link io.herald.core.app.App}: an app belongs to at most one
 * tenant ({@link TenantStore} enforces it), and the tenant record is the one place that answers
 * both "which apps may this user read" and "who owns this app".
 *
 * @param id the tenant's id: 1-64 letters, digits, '-' or '_' (as app ids)
 * @param name a name for people
 * @param apps the ids of the apps it owns, sorted
 * @param users its users: username → password hash (a Spring Security {@code PasswordEncoder}
 *        encoding, {@code {bcrypt}…}), sorted by username; never the password itself
 */
public record Tenant(String id, String name, Set<String> apps, Map<String, String> users) {

    /** The longest username. */
    public static final int MAX_USERNAME = 100;

    /** The longest name. */
    public static final int MAX_NAME = 200;

    public Tenant {
        Objects.requireNonNull(id, "id");
        if (!Names.isValidAppId(id)) {
            throw new IllegalArgumentException("A tenant id is 1-64 letters, digits, '-' or '_'");
        }
        name = name == null || name.isBlank() ? id : name;
        apps = Collections.unmodifiableSet(new TreeSet<>(apps == null ? Set.of() : apps));
        users = Collections.unmodifiableMap(new TreeMap<>(users == null ? Map.of() : users));
    }

    /** A tenant with no apps and no users. */
    public static Tenant of(String id, String name) {
        return new Tenant(id, name, Set.of(), Map.of());
    }

    /** Whether it owns {@code appId}. */
    public boolean owns(String appId) {
        return apps.contains(appId);
    }

    /** The password hash of {@code username}, or {@code null} when it has no such user. */
    public String passwordHash(String username) {
        return username == null ? null : users.get(normalize(username));
    }

    /**
     * A username as stored: lower case (so {@code Alice} and {@code alice} are one user). Usernames
     * are unique across the cluster.
     */
    public static String normalize(String username) {
        return Objects.requireNonNull(username, "username").toLowerCase(Locale.ROOT);
    }

    /**
     * Whether {@code username} is a valid username: 1-{@value #MAX_USERNAME} letters, digits or
     * {@code . _ @ + -} (so e-mail addresses fit); they end up in Redis keys and logs.
     */
    public static boolean isValidUsername(String username) {
        if (username == null || username.isEmpty() || username.length() > MAX_USERNAME) {
            return false;
        }
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '@' || c == '+' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Never the password hashes. */
    @Override
    public String toString() {
        return "Tenant[id=" + id + ", name=" + name + ", apps=" + apps + ", users=" + users.keySet() + "]";
    }
}
