package io.herald.metrics.security;

import io.herald.core.tenant.TenantStore;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.server.context.ServerSecurityContextRepository;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Spring Security's security context of a tenant user, kept in {@link SignInSessions} under the
 * {@value #COOKIE} cookie ({@code HttpOnly}, {@code SameSite=Lax}, {@code Path=/}, {@code Secure}
 * over TLS, no {@code Max-Age}: it ends with the browser session, and the server ends it after the
 * idle timeout).
 *
 * <p>Loading checks the sign-in against the {@link TenantStore} every time: a user removed, its
 * tenant deleted or its password changed since has no session any more. A store that cannot be
 * reached means no session (fail closed: 401, the operator's token still works).
 */
public final class SessionContextRepository implements ServerSecurityContextRepository {

    public static final String COOKIE = "HERALD_SESSION";

    private static final Logger log = LoggerFactory.getLogger(SessionContextRepository.class);

    private final SignInSessions sessions;
    private final TenantStore tenants;

    public SessionContextRepository(SignInSessions sessions, TenantStore tenants) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
    }

    @Override
    public Mono<Void> save(ServerWebExchange exchange, SecurityContext context) {
        if (context == null || !(context.getAuthentication() instanceof Callers.TenantUser user)) {
            // Sign-out: the session ends here, the cookie in the browser.
            String id = sessionId(exchange);
            cookie(exchange, "", Duration.ZERO);
            return id == null ? Mono.empty() : sessions.delete(id).onErrorResume(ex -> {
                log.debug("Could not end a session: {}", ex.toString());
                return Mono.empty();
            });
        }
        // A new id at every sign-in (no session fixation); the old one, if any, ends.
        String old = sessionId(exchange);
        Mono<Void> ending = old == null ? Mono.empty() : sessions.delete(old).onErrorResume(ex -> Mono.empty());
        return ending.then(sessions.create(user.signIn()))
                .doOnNext(id -> cookie(exchange, id, null))
                .then();
    }

    @Override
    public Mono<SecurityContext> load(ServerWebExchange exchange) {
        String id = sessionId(exchange);
        if (id == null) {
            return Mono.empty();
        }
        return sessions.find(id)
                .filterWhen(signIn -> tenants.findById(signIn.tenantId())
                        .map(tenant -> {
                            String hash = tenant.passwordHash(signIn.username());
                            return hash != null && Callers.passwordCheck(hash).equals(signIn.passwordCheck());
                        })
                        .defaultIfEmpty(false))
                .map(signIn -> (SecurityContext) new SecurityContextImpl(new Callers.TenantUser(signIn)))
                .onErrorResume(ex -> {
                    log.debug("A session could not be read (treated as none): {}", ex.toString());
                    return Mono.empty();
                });
    }

    private static String sessionId(ServerWebExchange exchange) {
        HttpCookie cookie = exchange.getRequest().getCookies().getFirst(COOKIE);
        return cookie == null || cookie.getValue().isEmpty() || cookie.getValue().length() > 100 ? null
                : cookie.getValue();
    }

    private static void cookie(ServerWebExchange exchange, String value, Duration maxAge) {
        ResponseCookie.ResponseCookieBuilder cookie = ResponseCookie.from(COOKIE, value)
                .path("/")
                .httpOnly(true)
                .sameSite("Lax")
                .secure(Requests.overTls(exchange.getRequest()));
        if (maxAge != null) {
            cookie.maxAge(maxAge);
        }
        exchange.getResponse().addCookie(cookie.build());
    }
}
