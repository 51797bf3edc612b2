package io.herald.metrics.security;

import java.util.List;
import java.util.Objects;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Who calls metrics-service once authenticated: the {@link Operator} (the admin token) or a
 * {@link TenantUser} (signed in with a session). Neither carries a credential.
 */
public final class Callers {

    private Callers() {
    }

    /** The operator: {@code Authorization: Bearer <herald.auth.admin-token>}; reads every app. */
    public static final class Operator extends AbstractAuthenticationToken {

        public Operator() {
            super(List.of(new SimpleGrantedAuthority("ROLE_OPERATOR")));
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return null;
        }

        @Override
        public Object getPrincipal() {
            return "operator";
        }
    }

    /**
     * A user of a tenant, signed in; reads the tenant's apps only.
     *
     * @see SignInSessions.SignIn
     */
    public static final class TenantUser extends AbstractAuthenticationToken {

        private final SignInSessions.SignIn signIn;

        public TenantUser(SignInSessions.SignIn signIn) {
            super(List.of(new SimpleGrantedAuthority("ROLE_TENANT")));
            this.signIn = Objects.requireNonNull(signIn, "signIn");
            setAuthenticated(true);
        }

        public String tenantId() {
            return signIn.tenantId();
        }

        public String username() {
            return signIn.username();
        }

        public SignInSessions.SignIn signIn() {
            return signIn;
        }

        @Override
        public Object getCredentials() {
            return null;
        }

        @Override
        public Object getPrincipal() {
            return signIn.username();
        }

        @Override
        public String getName() {
            return signIn.username();
        }
    }

    /** A digest of a password hash kept with a session: the session ends when the password changes. */
    public static String passwordCheck(String passwordHash) {
        return Digests.sha256(passwordHash).substring(0, 16);
    }
}
