package io.herald.auth.security;

import io.herald.auth.web.AuthRoutes;
import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.signature.AppSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.authorization.AuthorizationContext;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * Who may call what on auth-service (Spring Security, WebFlux), for {@code /admin/**} and
 * {@code /internal/**} only: other paths of a shared server are left alone.
 *
 * <ul>
 * <li>{@code Authorization: Bearer <herald.auth.admin-token>}: everything.</li>
 * <li>{@code Authorization: Bearer <herald.auth.internal-token>}: {@code /internal/**} only.</li>
 * <li>{@code Authorization: Basic base64(appKey:appSecret)}: a tenant — GET, PATCH, rotate-secret
 * and webhook-failures of its own app; anything else (create, list, delete, enable/disable,
 * another app, even an unknown one) is 403. The previous secret is accepted during its grace.</li>
 * <li>No credentials, or credentials that do not check out: 401 with {@code WWW-Authenticate}.</li>
 * </ul>
 * Every comparison is constant-time ({@link Credentials#constantTimeEquals}); no session, no
 * CSRF (no cookies: every request carries its credentials). Nothing here logs a credential, and
 * error bodies never repeat one.
 *
 * <p>A token that is not configured ({@code null}) matches nothing. Without an admin token the
 * admin API is off: every {@code /admin/**} request, whatever its credentials (tenants' too), is
 * answered 403 with {@value #ADMIN_API_OFF}, before any authentication — never an open admin API.
 * Without an internal token only the admin token opens {@code /internal/**}.
 */
public final class AuthSecurity {

    /** The answer to every {@code /admin/**} request when no admin token is configured. */
    public static final String ADMIN_API_OFF = "The admin API is off in this server: set herald.auth.admin-token "
            + "(at least 16 characters) to turn it on";

    private final String adminToken;
    private final String internalToken;
    private final AppStore apps;
    private final Clock clock;

    /**
     * @param adminToken the admin token, or {@code null}: the admin API is off
     * @param internalToken the internal token, or {@code null}: only the admin token opens {@code /internal/**}
     */
    public AuthSecurity(String adminToken, String internalToken, AppStore apps, Clock clock) {
        this.adminToken = adminToken;
        this.internalToken = internalToken;
        this.apps = Objects.requireNonNull(apps, "apps");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public SecurityWebFilterChain filterChain(ServerHttpSecurity http) {
        ServerAuthenticationEntryPoint entryPoint = (exchange, ex) -> write(exchange, HttpStatus.UNAUTHORIZED,
                "Authentication required: Bearer <admin token> or Basic <appKey:appSecret>");
        ServerAccessDeniedHandler denied = (exchange, ex) -> write(exchange, HttpStatus.FORBIDDEN,
                "Not allowed for these credentials");
        AuthenticationWebFilter authentication = new AuthenticationWebFilter(authenticationManager());
        authentication.setServerAuthenticationConverter(converter());
        authentication.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(entryPoint));
        authentication.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());
        ReactiveAuthorizationManager<AuthorizationContext> ownAppOrAdmin = (auth, context) -> auth
                .filter(Authentication::isAuthenticated)
                .map(a -> a.getPrincipal() instanceof Credentials.Caller caller
                        && (caller.isAdmin() || caller.isTenantOf((String) context.getVariables().get("id"))))
                .defaultIfEmpty(false)
                .map(granted -> (AuthorizationResult) new AuthorizationDecision(granted));
        if (adminToken == null) {
            http.addFilterAt(adminApiOff(), SecurityWebFiltersOrder.FIRST);
        }
        return http
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers("/admin/**", "/internal/**"))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .addFilterAt(authentication, SecurityWebFiltersOrder.AUTHENTICATION)
                .exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(denied))
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers("/internal/**").hasAnyRole(Credentials.INTERNAL, Credentials.ADMIN)
                        .pathMatchers(HttpMethod.GET, AuthRoutes.APP, AuthRoutes.APP + "/webhook-failures")
                        .access(ownAppOrAdmin)
                        .pathMatchers(HttpMethod.PATCH, AuthRoutes.APP).access(ownAppOrAdmin)
                        .pathMatchers(HttpMethod.POST, AuthRoutes.APP + "/rotate-secret").access(ownAppOrAdmin)
                        .anyExchange().hasRole(Credentials.ADMIN))
                .build();
    }

    /** Without an admin token, refuses every {@code /admin/**} request (403) before anything else looks at it. */
    private WebFilter adminApiOff() {
        ServerWebExchangeMatcher admin = ServerWebExchangeMatchers.pathMatchers("/admin/**");
        return (exchange, chain) -> admin.matches(exchange).flatMap(match -> match.isMatch()
                ? write(exchange, HttpStatus.FORBIDDEN, ADMIN_API_OFF)
                : chain.filter(exchange));
    }

    /** Reads the {@code Authorization} header; none → anonymous (then 401), unreadable → 401. */
    ServerAuthenticationConverter converter() {
        return exchange -> {
            String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            if (header == null || header.isBlank()) {
                return Mono.empty();
            }
            if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Mono.just(new Credentials.Bearer(header.substring(7).trim()));
            }
            if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                            StandardCharsets.UTF_8);
                }
                catch (IllegalArgumentException ex) {
                    return Mono.error(new BadCredentialsException("Malformed Basic credentials"));
                }
                int colon = decoded.indexOf(':');
                if (colon <= 0) {
                    return Mono.error(new BadCredentialsException("Malformed Basic credentials"));
                }
                return Mono.just(new Credentials.Basic(decoded.substring(0, colon), decoded.substring(colon + 1)));
            }
            return Mono.error(new BadCredentialsException("Unsupported authorization scheme"));
        };
    }

    public ReactiveAuthenticationManager authenticationManager() {
        return authentication -> {
            if (authentication instanceof Credentials.Bearer bearer) {
                String token = (String) bearer.getCredentials();
                // Both compared every time, so timing does not tell which token was close.
                boolean admin = Credentials.constantTimeEquals(token, adminToken);
                boolean internal = Credentials.constantTimeEquals(token, internalToken);
                if (admin) {
                    return Mono.just(new Credentials.Authenticated(new Credentials.Caller(Credentials.ADMIN, null)));
                }
                if (internal) {
                    return Mono.just(new Credentials.Authenticated(new Credentials.Caller(Credentials.INTERNAL, null)));
                }
                return Mono.error(new BadCredentialsException("Unknown token"));
            }
            if (authentication instanceof Credentials.Basic basic) {
                String secret = (String) basic.getCredentials();
                return apps.findByKey((String) basic.getPrincipal())
                        .filter(app -> secretMatches(app, secret))
                        .map(app -> (Authentication) new Credentials.Authenticated(
                                new Credentials.Caller(Credentials.TENANT, app.id())))
                        .switchIfEmpty(Mono.error(() -> new BadCredentialsException("Unknown app key or wrong secret")));
            }
            return Mono.error(new BadCredentialsException("Unsupported credentials"));
        };
    }

    private boolean secretMatches(App app, String secret) {
        return AppSecrets.signedByValidSecret(app, clock.instant(),
                candidate -> Credentials.constantTimeEquals(secret, candidate));
    }

    private static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String message) {
        ObjectNode body = PusherCodec.json().createObjectNode();
        body.put("error", message);
        body.put("status", status.value());
        var response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer, Basic realm=\"herald\"");
        }
        byte[] bytes = PusherCodec.json().writeValueAsBytes(body);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }
}
