package io.herald.metrics.security;

import io.herald.core.signature.Hmac;
import io.herald.core.tenant.Tenant;
import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
import io.herald.core.web.ApiErrorResponses;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.DefaultServerRedirectStrategy;
import org.springframework.security.web.server.DelegatingServerAuthenticationEntryPoint;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationSuccessHandler;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import org.springframework.security.web.server.authentication.logout.DelegatingServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.RedirectServerLogoutSuccessHandler;
import org.springframework.security.web.server.authentication.logout.SecurityContextServerLogoutHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.csrf.CsrfServerLogoutHandler;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.security.web.server.csrf.ServerCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * Who may call metrics-service's {@code /dashboard/**} and {@code /usage/**} (Spring Security,
 * WebFlux); other paths of a shared server (the edge, the HTTP API, the admin API, actuator, the
 * demo page) are left alone.
 *
 * <ul>
 * <li>{@code Authorization: Bearer <herald.auth.admin-token>}: the {@link Callers.Operator}, on
 * every one of those paths, stateless (no cookie, no CSRF). A wrong token: 401; none configured:
 * 403 naming the property.</li>
 * <li>A session: {@code POST /dashboard/login} (form fields {@code username}, {@code password},
 * {@code _csrf}) checks the password against the {@link TenantStore} with {@link TenantPasswords}
 * (off the event loops), and on success starts a session ({@link SessionContextRepository}) and
 * redirects to {@code /dashboard/}; a failure redirects to {@code /dashboard/login?error},
 * whatever was wrong. Failures are throttled ({@link LoginThrottle}): 429 with
 * {@code Retry-After} and the page saying so. {@code POST /dashboard/logout} ends it.</li>
 * <li>CSRF ({@link CsrfCookies}) on every unsafe request that does not carry a bearer token,
 * the sign-in and sign-out forms included; a missing or wrong token is 403.</li>
 * <li>Nobody: a page is a 302 to {@code /dashboard/login}; {@code /dashboard/api/**} and
 * {@code /usage/**} are 401 with {@code {"error": …}}. Open to all: the sign-in page, the usage
 * API's OpenAPI description and {@code /dashboard/assets/**}.</li>
 * </ul>
 * Nothing here logs a password, a hash, a token or a session id.
 */
public final class DashboardSecurity {

    private static final Logger log = LoggerFactory.getLogger(DashboardSecurity.class);

    private final String adminToken;
    private final TenantStore tenants;
    private final TenantPasswords passwords;
    private final SessionContextRepository sessions;
    private final LoginThrottle throttle;
    private final Pattern trustedProxies;
    private final CsrfCookies csrf = new CsrfCookies();

    /** @param adminToken the operator's token, or {@code null} (no operator) */
    public DashboardSecurity(String adminToken, TenantStore tenants, TenantPasswords passwords,
            SignInSessions sessions, LoginThrottle throttle, Pattern trustedProxies) {
        this.adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken;
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.passwords = Objects.requireNonNull(passwords, "passwords");
        this.sessions = new SessionContextRepository(sessions, tenants);
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        this.trustedProxies = Objects.requireNonNull(trustedProxies, "trustedProxies");
    }

    public SecurityWebFilterChain filterChain(ServerHttpSecurity http) {
        ServerWebExchangeMatcher apis = ServerWebExchangeMatchers.pathMatchers("/dashboard/api/**", "/usage/**");
        ServerAuthenticationEntryPoint json = (exchange, ex) -> writeJson(exchange, HttpStatus.UNAUTHORIZED,
                "Sign in at /dashboard/login, or send the operator's token: Authorization: Bearer "
                        + "<herald.auth.admin-token>");
        DelegatingServerAuthenticationEntryPoint entryPoint = new DelegatingServerAuthenticationEntryPoint(
                new DelegatingServerAuthenticationEntryPoint.DelegateEntry(apis, json));
        entryPoint.setDefaultEntryPoint(new RedirectServerAuthenticationEntryPoint(SignInPage.PATH));

        return http
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers("/dashboard", "/dashboard/**", "/usage/**"))
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(sessions)
                .csrf(spec -> spec.csrfTokenRepository(csrf)
                        // The token as the cookie holds it: the dashboard's script sends the cookie's value.
                        .csrfTokenRequestHandler(new ServerCsrfTokenRequestAttributeHandler())
                        .requireCsrfProtectionMatcher(this::needsCsrf)
                        .accessDeniedHandler((exchange, ex) -> writeJson(exchange, HttpStatus.FORBIDDEN,
                                "Missing or wrong CSRF token: send the XSRF-TOKEN cookie's value as X-XSRF-TOKEN "
                                        + "(or the _csrf form field)")))
                .addFilterAfter(csrfCookie(), SecurityWebFiltersOrder.CSRF)
                .addFilterAt(bearer(), SecurityWebFiltersOrder.HTTP_BASIC)
                .addFilterAt(signIn(), SecurityWebFiltersOrder.FORM_LOGIN)
                .logout(logout -> logout.logoutUrl("/dashboard/logout")
                        .logoutHandler(new DelegatingServerLogoutHandler(signOut(), new CsrfServerLogoutHandler(csrf)))
                        .logoutSuccessHandler(redirect(SignInPage.PATH + "?logout")))
                .exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler((exchange, ex) -> writeJson(exchange, HttpStatus.FORBIDDEN,
                                "Not allowed")))
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers(HttpMethod.GET, SignInPage.PATH, "/usage/openapi.json", "/dashboard/assets/**")
                        .permitAll()
                        .anyExchange().authenticated())
                .build();
    }

    /** Unsafe methods need a CSRF token unless they carry a bearer token (which no other site can add). */
    private Mono<ServerWebExchangeMatcher.MatchResult> needsCsrf(ServerWebExchange exchange) {
        HttpMethod method = exchange.getRequest().getMethod();
        boolean safe = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)
                || HttpMethod.OPTIONS.equals(method) || HttpMethod.TRACE.equals(method);
        return safe || bearerToken(exchange) != null ? ServerWebExchangeMatcher.MatchResult.notMatch()
                : ServerWebExchangeMatcher.MatchResult.match();
    }

    /** Makes the CSRF cookie exist on pages (its token is made lazily), so the dashboard's script can read it. */
    private WebFilter csrfCookie() {
        return (exchange, chain) -> {
            Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
            if (token == null || bearerToken(exchange) != null
                    || exchange.getRequest().getCookies().getFirst(CsrfCookies.COOKIE) != null) {
                return chain.filter(exchange);
            }
            return token.then(chain.filter(exchange));
        };
    }

    private static String bearerToken(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    }

    // --- the operator ---------------------------------------------------------------------------

    /** A bearer token not yet checked. */
    private static final class BearerToken extends AbstractAuthenticationToken {

        private final String token;

        BearerToken(String token) {
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
            return "BearerToken[hidden]";
        }
    }

    /** No admin token is configured: the operator cannot authenticate (403, not 401). */
    private static final class OperatorOff extends AuthenticationException {

        OperatorOff() {
            super("No operator token is configured");
        }
    }

    private AuthenticationWebFilter bearer() {
        ReactiveAuthenticationManager manager = authentication -> {
            if (adminToken == null) {
                return Mono.error(new OperatorOff());
            }
            return Hmac.constantTimeEquals(adminToken, (String) authentication.getCredentials())
                    ? Mono.just(new Callers.Operator())
                    : Mono.error(new BadCredentialsException("Wrong token"));
        };
        AuthenticationWebFilter filter = new AuthenticationWebFilter(manager);
        filter.setServerAuthenticationConverter(exchange -> Mono.justOrEmpty(bearerToken(exchange))
                .map(token -> (Authentication) new BearerToken(token)));
        filter.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());
        filter.setAuthenticationFailureHandler((webFilterExchange, ex) -> ex instanceof OperatorOff
                ? writeJson(webFilterExchange.getExchange(), HttpStatus.FORBIDDEN,
                        "The usage API is off for operators: set herald.auth.admin-token to use it")
                : writeJson(webFilterExchange.getExchange(), HttpStatus.UNAUTHORIZED,
                        "Wrong token: send Authorization: Bearer <herald.auth.admin-token>"));
        return filter;
    }

    // --- tenant users -----------------------------------------------------------------------------

    /** A sign-in attempt not yet checked: the form's username and password, and where it came from. */
    private static final class Attempt extends AbstractAuthenticationToken {

        private final String username;
        private final String password;
        private final String address;

        Attempt(String username, String password, String address) {
            super(List.of());
            this.username = username == null ? "" : username.trim();
            this.password = password == null ? "" : password;
            this.address = address;
        }

        @Override
        public Object getCredentials() {
            return password;
        }

        @Override
        public Object getPrincipal() {
            return username;
        }

        @Override
        public String toString() {
            return "Attempt[hidden]";
        }
    }

    /** Too many failures for this username or from this address. */
    private static final class Throttled extends AuthenticationException {

        final Duration retryAfter;

        Throttled(Duration retryAfter) {
            super("Too many failed sign-ins");
            this.retryAfter = retryAfter;
        }
    }

    private AuthenticationWebFilter signIn() {
        AuthenticationWebFilter filter = new AuthenticationWebFilter(this::checkPassword);
        filter.setRequiresAuthenticationMatcher(ServerWebExchangeMatchers.pathMatchers(HttpMethod.POST,
                SignInPage.PATH));
        filter.setServerAuthenticationConverter(exchange -> exchange.getFormData().map(form -> new Attempt(
                form.getFirst("username"), form.getFirst("password"),
                Requests.clientAddress(exchange.getRequest(), trustedProxies))));
        filter.setSecurityContextRepository(sessions);
        filter.setAuthenticationSuccessHandler(new RedirectServerAuthenticationSuccessHandler("/dashboard/"));
        filter.setAuthenticationFailureHandler(signInFailed());
        return filter;
    }

    private Mono<Authentication> checkPassword(Authentication authentication) {
        Attempt attempt = (Attempt) authentication;
        String username = attempt.username;
        return throttle.refusedFor(username, attempt.address).flatMap(wait -> {
            if (!wait.isZero()) {
                return Mono.error(new Throttled(wait));
            }
            // Unknown users are checked against a decoy hash: the same work, the same answer.
            return tenants.findByUsername(username).map(Optional::of).defaultIfEmpty(Optional.empty())
                    .flatMap(found -> {
                        String hash = found.map(t -> t.passwordHash(username)).orElse(null);
                        return passwords.matches(attempt.password, hash).flatMap(matches -> {
                            if (!matches) {
                                return throttle.failed(username, attempt.address)
                                        .then(Mono.error(new BadCredentialsException("Wrong username or password")));
                            }
                            Tenant tenant = found.get();
                            log.info("Tenant user {} of {} signed in", Tenant.normalize(username), tenant.id());
                            return throttle.succeeded(username).thenReturn((Authentication) new Callers.TenantUser(
                                    new SignInSessions.SignIn(tenant.id(), Tenant.normalize(username),
                                            Callers.passwordCheck(hash))));
                        });
                    });
        }).onErrorMap(ex -> !(ex instanceof AuthenticationException),
                ex -> new AuthenticationServiceException("Sign-in is unavailable", ex));
    }

    private ServerAuthenticationFailureHandler signInFailed() {
        return (webFilterExchange, ex) -> {
            ServerWebExchange exchange = webFilterExchange.getExchange();
            if (ex instanceof Throttled throttled) {
                long seconds = Math.max(1, (throttled.retryAfter.toMillis() + 999) / 1000);
                exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
                return SignInPage.write(exchange, HttpStatus.TOO_MANY_REQUESTS, "Too many failed sign-in attempts. "
                        + "Try again in " + minutesOrSeconds(seconds) + ".");
            }
            if (ex instanceof AuthenticationServiceException) {
                log.warn("Sign-in failed for want of the tenant store or the throttle: {}",
                        ex.getCause() == null ? ex.toString() : ex.getCause().toString());
                exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
                return SignInPage.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                        "Sign-in is unavailable right now. Try again in a moment.");
            }
            return new DefaultServerRedirectStrategy().sendRedirect(exchange, java.net.URI.create(SignInPage.PATH + "?error"));
        };
    }

    private static String minutesOrSeconds(long seconds) {
        return seconds >= 120 ? (seconds + 59) / 60 + " minutes" : seconds + " seconds";
    }

    /** Sign-out: ends the session ({@link SessionContextRepository#save} with no context). */
    private SecurityContextServerLogoutHandler signOut() {
        SecurityContextServerLogoutHandler handler = new SecurityContextServerLogoutHandler();
        handler.setSecurityContextRepository(sessions);
        return handler;
    }

    private static RedirectServerLogoutSuccessHandler redirect(String location) {
        RedirectServerLogoutSuccessHandler handler = new RedirectServerLogoutSuccessHandler();
        handler.setLogoutSuccessUrl(java.net.URI.create(location));
        return handler;
    }

    static Mono<Void> writeJson(ServerWebExchange exchange, HttpStatus status, String message) {
        var response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"herald\"");
        }
        byte[] bytes = ApiErrorResponses.body(message, status.value());
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }
}
