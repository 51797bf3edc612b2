package io.herald.metrics.security;

import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The sign-in page, {@code GET /dashboard/login}: a plain HTML form (no script, no external
 * asset) with {@code username}, {@code password}, the hidden {@code _csrf} and a submit button,
 * posting to {@code /dashboard/login}. A message says why it is shown again: {@code ?error} (wrong
 * username or password, never which), {@code ?logout}, or a throttled or failed sign-in.
 */
public final class SignInPage {

    public static final String PATH = "/dashboard/login";

    private SignInPage() {
    }

    /** The handler of {@code GET /dashboard/login}. */
    public static Mono<ServerResponse> get(ServerRequest request) {
        String message = request.queryParam("error").isPresent() ? "Wrong username or password."
                : request.queryParam("logout").isPresent() ? "You are signed out." : null;
        return token(request.exchange()).flatMap(token -> ServerResponse.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .header("Cache-Control", "no-store")
                .bodyValue(html(token, message)));
    }

    /** Writes the page with {@code status} and {@code message}: for answers of the sign-in filter itself. */
    static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String message) {
        return token(exchange).flatMap(token -> {
            var response = exchange.getResponse();
            response.setStatusCode(status);
            response.getHeaders().setContentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8));
            response.getHeaders().setCacheControl("no-store");
            byte[] bytes = html(token, message).getBytes(StandardCharsets.UTF_8);
            return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
        });
    }

    private static Mono<String> token(ServerWebExchange exchange) {
        Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
        return token == null ? Mono.just("") : token.map(CsrfToken::getToken).defaultIfEmpty("");
    }

    static String html(String csrf, String message) {
        String note = message == null ? "" : "<p class=\"note\" role=\"alert\">" + escape(message) + "</p>\n";
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Sign in · Herald</title>
                <style>
                body { font-family: system-ui, sans-serif; background: #f5f6f8; margin: 0; }
                main { max-width: 22rem; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px;
                       box-shadow: 0 1px 4px rgba(0,0,0,.12); }
                h1 { font-size: 1.3rem; margin: 0 0 1.2rem; }
                label { display: block; margin: .8rem 0 .3rem; font-size: .9rem; }
                input { width: 100%%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
                button { margin-top: 1.2rem; width: 100%%; padding: .6rem; font-size: 1rem; cursor: pointer; }
                .note { background: #fff4e5; border: 1px solid #f0c36d; padding: .6rem; border-radius: 4px; }
                </style>
                </head>
                <body>
                <main>
                <h1>Herald dashboard</h1>
                %s<form method="post" action="/dashboard/login">
                <label for="username">Username</label>
                <input id="username" name="username" autocomplete="username" required autofocus>
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required>
                <input type="hidden" name="_csrf" value="%s">
                <button type="submit">Sign in</button>
                </form>
                </main>
                </body>
                </html>
                """.formatted(note, escape(csrf));
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
