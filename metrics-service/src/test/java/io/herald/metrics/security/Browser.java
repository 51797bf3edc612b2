package io.herald.metrics.security;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;

/** A client with a cookie jar, as a browser: keeps what servers set, sends it back, follows nothing. */
final class Browser {

    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]*)\"");

    final WebTestClient http;
    final Map<String, String> cookies = new LinkedHashMap<>();

    Browser(int port) {
        this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(20)).build();
    }

    /** Another browser on {@code port} with this one's cookies (the same user on another replica). */
    Browser withCookiesOn(int port) {
        Browser other = new Browser(port);
        other.cookies.putAll(cookies);
        return other;
    }

    <T extends EntityExchangeResult<byte[]>> T keep(T result) {
        for (var entry : result.getResponseCookies().entrySet()) {
            for (ResponseCookie cookie : entry.getValue()) {
                if (cookie.getMaxAge().isZero()) {
                    cookies.remove(cookie.getName());
                }
                else {
                    cookies.put(cookie.getName(), cookie.getValue());
                }
            }
        }
        return result;
    }

    EntityExchangeResult<byte[]> get(String path, String... headers) {
        WebTestClient.RequestHeadersSpec<?> spec = http.get().uri(path)
                .cookies(jar -> cookies.forEach(jar::add));
        for (int i = 0; i < headers.length; i += 2) {
            spec = spec.header(headers[i], headers[i + 1]);
        }
        return keep(spec.exchange().expectBody().returnResult());
    }

    EntityExchangeResult<byte[]> post(String path, Map<String, String> form, String... headers) {
        MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
        form.forEach(fields::add);
        WebTestClient.RequestHeadersSpec<?> spec = http.post().uri(path)
                .cookies(jar -> cookies.forEach(jar::add))
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(BodyInserters.fromFormData(fields));
        for (int i = 0; i < headers.length; i += 2) {
            spec = spec.header(headers[i], headers[i + 1]);
        }
        return keep(spec.exchange().expectBody().returnResult());
    }

    /** The CSRF token of the sign-in page, loading it. */
    String signInPageToken() {
        String page = body(get("/dashboard/login"));
        Matcher matcher = CSRF_FIELD.matcher(page);
        if (!matcher.find()) {
            throw new AssertionError("No _csrf field in the sign-in page: " + page);
        }
        return matcher.group(1);
    }

    /** Signs in through the page, as a person would; the answer to the form. */
    EntityExchangeResult<byte[]> signIn(String username, String password, String... headers) {
        String token = signInPageToken();
        return post("/dashboard/login", Map.of("username", username, "password", password, "_csrf", token), headers);
    }

    static String body(EntityExchangeResult<byte[]> result) {
        byte[] bytes = result.getResponseBodyContent();
        return bytes == null ? "" : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    static String location(EntityExchangeResult<byte[]> result) {
        return result.getResponseHeaders().getFirst(HttpHeaders.LOCATION);
    }

    static String setCookie(EntityExchangeResult<byte[]> result, String name) {
        return result.getResponseHeaders().getOrEmpty(HttpHeaders.SET_COOKIE).stream()
                .filter(header -> header.startsWith(name + "=")).findFirst().orElse(null);
    }
}
