package io.herald.metrics.security;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.security.web.server.csrf.DefaultCsrfToken;
import org.springframework.security.web.server.csrf.ServerCsrfTokenRepository;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * CSRF tokens as a double-submit cookie, {@value #COOKIE}: nothing to share between replicas.
 * A session-authenticated unsafe request must repeat the cookie's value in the {@value #HEADER}
 * header or the {@value #PARAMETER} form field; another site can neither read the cookie nor set
 * the header. The cookie is readable by the dashboard's script (not {@code HttpOnly}: that is the
 * point), {@code SameSite=Lax}, {@code Secure} over TLS ({@link Requests#overTls}).
 */
public final class CsrfCookies implements ServerCsrfTokenRepository {

    public static final String COOKIE = "XSRF-TOKEN";
    public static final String HEADER = "X-XSRF-TOKEN";
    public static final String PARAMETER = "_csrf";

    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public Mono<CsrfToken> generateToken(ServerWebExchange exchange) {
        // SecureRandom may block for entropy: never on an event loop.
        return Mono.fromCallable(() -> {
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            return (CsrfToken) new DefaultCsrfToken(HEADER, PARAMETER,
                    Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<Void> saveToken(ServerWebExchange exchange, CsrfToken token) {
        return Mono.fromRunnable(() -> exchange.getResponse().addCookie(ResponseCookie
                .from(COOKIE, token == null ? "" : token.getToken())
                .path("/")
                .httpOnly(false)
                .sameSite("Lax")
                .secure(Requests.overTls(exchange.getRequest()))
                .maxAge(token == null ? Duration.ZERO : Duration.ofSeconds(-1))
                .build()));
    }

    @Override
    public Mono<CsrfToken> loadToken(ServerWebExchange exchange) {
        return Mono.fromSupplier(() -> {
            HttpCookie cookie = exchange.getRequest().getCookies().getFirst(COOKIE);
            if (cookie == null || cookie.getValue().isEmpty()) {
                return null;
            }
            return new DefaultCsrfToken(HEADER, PARAMETER, cookie.getValue());
        });
    }
}
