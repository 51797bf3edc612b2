package io.herald.publish.testing;

import io.herald.core.signature.Hmac;
import io.herald.core.signature.RequestSignature;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Hand-signed Pusher HTTP API requests, to send what the official SDKs never would (wrong
 * signatures, stale timestamps, tampered bodies, bad JSON).
 */
public final class SignedRequests {

    private final WebTestClient client;
    private final String baseUrl;
    private final String key;
    private final String secret;

    public SignedRequests(String baseUrl, String key, String secret) {
        this(WebTestClient.bindToServer().baseUrl(baseUrl).responseTimeout(Duration.ofSeconds(30)).build(), baseUrl,
                key, secret);
    }

    /** Requests through {@code client} (for example one bound to a router function), to URIs under {@code baseUrl}. */
    public SignedRequests(WebTestClient client, String baseUrl, String key, String secret) {
        this.client = client;
        this.baseUrl = baseUrl;
        this.key = key;
        this.secret = secret;
    }

    public WebTestClient client() {
        return client;
    }

    /** A correctly signed JSON POST of {@code body} to {@code path}. */
    public WebTestClient.ResponseSpec post(String path, String body) {
        return post(path, body.getBytes(StandardCharsets.UTF_8));
    }

    public WebTestClient.ResponseSpec post(String path, byte[] body) {
        return send(path, signedUri(path, body, Instant.now().getEpochSecond(), secret), body, MediaType.APPLICATION_JSON);
    }

    public WebTestClient.ResponseSpec send(String path, URI uri, byte[] body, MediaType contentType) {
        WebTestClient.RequestBodySpec spec = client.post().uri(uri);
        if (contentType != null) {
            spec = spec.contentType(contentType);
        }
        return spec.bodyValue(body).exchange();
    }

    /** The URI of a POST to {@code path} signed as an official SDK would, with the given timestamp and secret. */
    public URI signedUri(String path, byte[] body, long timestamp, String signingSecret) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("auth_key", key);
        params.put("auth_timestamp", String.valueOf(timestamp));
        params.put("auth_version", "1.0");
        if (body.length > 0) {
            params.put("body_md5", Hmac.md5Hex(body));
        }
        params.put("auth_signature", RequestSignature.sign(signingSecret, "POST", path, params));
        return uri(path, params);
    }

    /** A correctly signed GET of {@code path} with the query {@code query}. */
    public WebTestClient.ResponseSpec get(String path, Map<String, String> query) {
        Map<String, String> params = new LinkedHashMap<>(query);
        params.put("auth_key", key);
        params.put("auth_timestamp", String.valueOf(Instant.now().getEpochSecond()));
        params.put("auth_version", "1.0");
        params.put("auth_signature", RequestSignature.sign(secret, "GET", path, params));
        return client.get().uri(uri(path, params)).exchange();
    }

    public URI uri(String path, Map<String, String> params) {
        String query = params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        return URI.create(baseUrl + path + (query.isEmpty() ? "" : "?" + query));
    }
}
