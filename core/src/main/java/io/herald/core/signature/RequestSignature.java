package io.herald.core.signature;

import io.herald.core.app.App;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The Pusher HTTP API request signature (auth version 1.0).
 *
 * <p>The string to sign is {@code METHOD\nPATH\n} followed by every query parameter except
 * {@code auth_signature}, keys lower-cased and sorted, joined as {@code k=v&k=v} without URL
 * escaping. A non-empty body must be matched by {@code body_md5}. The timestamp must be within
 * {@link #DEFAULT_WINDOW} of the server's clock in either direction. The signature is compared
 * in constant time, against every secret of the app that is valid now ({@link AppSecrets}): after
 * a rotation, the previous secret too until its grace period ends.
 */
public final class RequestSignature {

    /** Pusher accepts requests whose {@code auth_timestamp} is within 600 s of server time. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(600);

    private final Clock clock;
    private final Duration window;

    public RequestSignature(Clock clock, Duration window) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
    }

    public RequestSignature(Clock clock) {
        this(clock, DEFAULT_WINDOW);
    }

    /** The string Pusher signs for a request, from already URL-decoded query parameters. */
    public static String stringToSign(String method, String path, Map<String, String> params) {
        TreeMap<String, String> sorted = new TreeMap<>();
        params.forEach((k, v) -> {
            String key = k.toLowerCase(Locale.ROOT);
            if (!key.equals("auth_signature")) {
                sorted.put(key, v);
            }
        });
        StringBuilder sb = new StringBuilder(method.toUpperCase(Locale.ROOT)).append('\n')
                .append(path).append('\n');
        boolean first = true;
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            if (!first) {
                sb.append('&');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
            first = false;
        }
        return sb.toString();
    }

    /** The {@code auth_signature} for a request, as an official server SDK would compute it. */
    public static String sign(String secret, String method, String path, Map<String, String> params) {
        return Hmac.sha256Hex(secret, stringToSign(method, path, params));
    }

    /**
     * Checks a request's key, signature, timestamp and body digest against {@code app}: its key,
     * and its secrets valid at this verifier's clock ({@link AppSecrets#signedByValidSecret}).
     *
     * @param params the decoded query parameters
     * @param body the raw body; empty or {@code null} for none
     * @throws ApiException 401 with a message saying what is wrong (never the expected value)
     * @throws IllegalStateException when {@code app} carries no secret (a public view)
     */
    public void verify(App app, String method, String path, Map<String, String> params, byte[] body) {
        require(params, "auth_key");
        require(params, "auth_timestamp");
        require(params, "auth_version");
        String signature = require(params, "auth_signature").toLowerCase(Locale.ROOT);
        if (!Hmac.constantTimeEquals(app.key(), params.get("auth_key"))) {
            throw unauthorized("auth_key does not match the application's key");
        }
        if (!"1.0".equals(params.get("auth_version"))) {
            throw unauthorized("Unsupported auth_version; expected 1.0");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(params.get("auth_timestamp"));
        }
        catch (NumberFormatException ex) {
            throw unauthorized("auth_timestamp is not a number of seconds");
        }
        Instant now = clock.instant();
        long skew = Math.abs(now.getEpochSecond() - timestamp);
        if (skew > window.toSeconds()) {
            throw unauthorized("Timestamp expired: auth_timestamp is " + skew
                    + " s away from server time, the limit is " + window.toSeconds()
                    + " s; check the clock of the calling server");
        }
        boolean hasBody = body != null && body.length > 0;
        if (hasBody) {
            String md5 = params.get("body_md5");
            if (md5 == null) {
                throw unauthorized("Missing body_md5 for a request with a body");
            }
            if (!Hmac.constantTimeEquals(Hmac.md5Hex(body), md5.toLowerCase(Locale.ROOT))) {
                throw unauthorized("body_md5 does not match the body");
            }
        }
        String stringToSign = stringToSign(method, path, params);
        if (!AppSecrets.signedByValidSecret(app, now,
                secret -> Hmac.constantTimeEquals(Hmac.sha256Hex(secret, stringToSign), signature))) {
            throw unauthorized("Invalid signature: check the app secret, and that the path and "
                    + "every query parameter are signed as sent");
        }
    }

    private static String require(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            throw unauthorized("Missing " + name + " query parameter; requests must be signed");
        }
        return value;
    }

    private static ApiException unauthorized(String message) {
        return ApiError.UNAUTHORIZED.exception(message);
    }
}
