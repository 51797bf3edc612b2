package io.herald.auth.security;

import io.herald.core.signature.Hmac;
import java.util.Collection;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What callers of auth-service present, and who they turn out to be.
 *
 * <p>Presented: {@link Bearer} (the admin or the internal token) or {@link Basic} (a tenant's
 * {@code appKey:appSecret}). Their {@code toString()} and {@code getCredentials()} after
 * authentication never show the secret.
 *
 * <p>Authenticated: {@link Caller} with one role — {@code ADMIN} (everything), {@code INTERNAL}
 * (the {@code /internal} API) or {@code TENANT} (its own app, {@link Caller#appId()}).
 */
public final class Credentials {

    public static final String ADMIN = "ADMIN";
    public static final String INTERNAL = "INTERNAL";
    public static final String TENANT = "TENANT";

    private Credentials() {
    }

    /** Compares a presented secret with an expected one in constant time; nothing equals a missing or empty one. */
    public static boolean constantTimeEquals(String presented, String expected) {
        return expected != null && !expected.isEmpty() && Hmac.constantTimeEquals(expected, presented);
    }

    /** An {@code Authorization: Bearer …} token, not yet checked. */
    static final class Bearer extends AbstractAuthenticationToken {

        private final String token;

        Bearer(String token) {
            super(List.of());
            this.token = token;
        }

        @Override
        public Object getCredentials() {
            return token;
        }

        @Override
        public Object getPrincipal() {
            return "bearer";
        }

        @Override
        public String toString() {
            return "Bearer[token hidden]";
        }
    }

    /** An {@code Authorization: Basic …} app key and secret, not yet checked. */
    static final class Basic extends AbstractAuthenticationToken {

        private final String key;
        private final String secret;

        Basic(String key, String secret) {
            super(List.of());
            this.key = key;
            this.secret = secret;
        }

        @Override
        public Object getCredentials() {
            return secret;
        }

        @Override
        public Object getPrincipal() {
            return key;
        }

        @Override
        public String toString() {
            return "Basic[key=" + key + ", secret hidden]";
        }
    }

    /**
     * An authenticated caller.
     *
     * @param role {@link #ADMIN}, {@link #INTERNAL} or {@link #TENANT}
     * @param appId the tenant's app, or {@code null}
     */
    public record Caller(String role, String appId) {

        public boolean isAdmin() {
            return ADMIN.equals(role);
        }

        public boolean isTenantOf(String id) {
            return TENANT.equals(role) && appId != null && appId.equals(id);
        }
    }

    /** The authentication of a {@link Caller}; carries no credentials. */
    static final class Authenticated extends AbstractAuthenticationToken {

        private final Caller caller;

        Authenticated(Caller caller) {
            super(authorities(caller.role()));
            this.caller = caller;
            setAuthenticated(true);
        }

        private static Collection<? extends GrantedAuthority> authorities(String role) {
            return List.of(new SimpleGrantedAuthority("ROLE_" + role));
        }

        @Override
        public Object getCredentials() {
            return null;
        }

        @Override
        public Caller getPrincipal() {
            return caller;
        }

        @Override
        public String getName() {
            return caller.appId() == null ? caller.role().toLowerCase() : "tenant:" + caller.appId();
        }
    }
}
