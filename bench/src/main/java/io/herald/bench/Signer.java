package io.herald.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pusher HTTP API request signing, auth version 1.0 (a re-implementation; bench does not depend
 * on core). {@code auth_signature} is hex HMAC-SHA256(secret, {@code METHOD\nPATH\n} + the query
 * parameters other than {@code auth_signature}, keys lower-cased and sorted, joined as
 * {@code k=v&...} without URL escaping).
 */
final class Signer {

    private static final HexFormat HEX = HexFormat.of();

    private Signer() {
    }

    static String md5Hex(byte[] body) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(body));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("MD5 is not available", ex);
        }
    }

    static String hmacSha256Hex(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 is not available", ex);
        }
    }

    static String stringToSign(String method, String path, Map<String, String> params) {
        TreeMap<String, String> sorted = new TreeMap<>();
        params.forEach((k, v) -> {
            String lower = k.toLowerCase(Locale.ROOT);
            if (!lower.equals("auth_signature")) {
                sorted.put(lower, v);
            }
        });
        StringBuilder sb = new StringBuilder(method.toUpperCase(Locale.ROOT)).append('\n').append(path).append('\n');
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

    static String sign(String secret, String method, String path, Map<String, String> params) {
        return hmacSha256Hex(secret, stringToSign(method, path, params));
    }

    /**
     * The signed query string (without the leading {@code ?}) for a request with a JSON body.
     * Values are signed as they are and URL-encoded on the wire, as the server decodes them
     * before checking the signature.
     */
    static String signedQuery(String key, String secret, String method, String path, byte[] body,
            long epochSeconds) {
        TreeMap<String, String> params = new TreeMap<>();
        params.put("auth_key", key);
        params.put("auth_timestamp", Long.toString(epochSeconds));
        params.put("auth_version", "1.0");
        if (body != null && body.length > 0) {
            params.put("body_md5", md5Hex(body));
        }
        String signature = sign(secret, method, path, params);
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        return sb.append("auth_signature=").append(signature).toString();
    }
}
