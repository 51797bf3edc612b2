package io.herald.publish.web;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.springframework.core.io.buffer.DataBufferLimitException;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * A request of the Reactor Netty route ({@link PublishNettyRoutes}) as an {@link ApiRequest}: the
 * same values Spring WebFlux would give for it, read straight from Netty's request.
 */
final class NettyApiRequest implements ApiRequest {

    /** The body's first allocation when the request has no {@code Content-Length} (chunked). */
    private static final int CHUNKED_INITIAL_BYTES = 512;

    private final HttpServerRequest request;
    private final String path;
    private final String appId;
    private final String rawQuery;
    private String acceptedAppId;

    /**
     * @param path the raw path, without the query
     * @param rawQuery the raw query after {@code ?} (without a fragment), or {@code null} for none
     */
    NettyApiRequest(HttpServerRequest request, String path, String appId, String rawQuery) {
        this.request = Objects.requireNonNull(request, "request");
        this.path = Objects.requireNonNull(path, "path");
        this.appId = Objects.requireNonNull(appId, "appId");
        this.rawQuery = rawQuery;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String appId() {
        return appId;
    }

    @Override
    public Map<String, String> queryParams() {
        return queryParams(rawQuery);
    }

    @Override
    public String contentType() {
        return request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
    }

    @Override
    public OptionalLong contentLength() {
        String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        // Netty's decoder has refused a request whose Content-Length is not a number.
        return length == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(length.trim()));
    }

    @Override
    public Mono<byte[]> body(int maxBytes) {
        OptionalLong length = contentLength();
        int initial = length.isPresent() ? (int) Math.min(length.getAsLong(), maxBytes) : CHUNKED_INITIAL_BYTES;
        // Reactor Netty releases each buffer once it is handed on: copied here, never kept.
        return request.receive()
                .collect(() -> new Body(initial, maxBytes), Body::add)
                .map(Body::bytes);
    }

    @Override
    public void accepted(String appId) {
        this.acceptedAppId = appId;
    }

    /** The app id of {@link #accepted}, or {@code null} when the request was not accepted. */
    String acceptedAppId() {
        return acceptedAppId;
    }

    /**
     * Spring's reading of a raw query ({@code AbstractServerHttpRequest.initQueryParams}, pattern
     * {@code ([^&=]+)(=?)([^&]+)?}), first value per name: signatures are checked over exactly the
     * parameters WebFlux would give. A malformed escape fails with {@link IllegalArgumentException}.
     */
    static Map<String, String> queryParams(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null) {
            return params;
        }
        int n = rawQuery.length();
        int i = 0;
        while (i < n) {
            char c = rawQuery.charAt(i);
            if (c == '&' || c == '=') {
                i++;
                continue;
            }
            int nameEnd = i;
            while (nameEnd < n && rawQuery.charAt(nameEnd) != '&' && rawQuery.charAt(nameEnd) != '=') {
                nameEnd++;
            }
            boolean equals = nameEnd < n && rawQuery.charAt(nameEnd) == '=';
            int valueStart = equals ? nameEnd + 1 : nameEnd;
            int valueEnd = valueStart;
            while (valueEnd < n && rawQuery.charAt(valueEnd) != '&') {
                valueEnd++;
            }
            String name = decode(rawQuery.substring(i, nameEnd));
            String value = valueEnd > valueStart ? decode(rawQuery.substring(valueStart, valueEnd))
                    : (equals ? "" : null);
            if (!params.containsKey(name)) {
                params.put(name, value);
            }
            i = valueEnd;
        }
        return params;
    }

    private static String decode(String raw) {
        return raw.indexOf('%') < 0 && raw.indexOf('+') < 0 ? raw : URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    /** The body's bytes as they arrive, refused beyond the limit. */
    private static final class Body {

        private final int maxBytes;
        private byte[] bytes;
        private int size;

        Body(int initial, int maxBytes) {
            this.maxBytes = maxBytes;
            this.bytes = new byte[initial];
        }

        void add(ByteBuf chunk) {
            int readable = chunk.readableBytes();
            if (readable > maxBytes - size) {
                throw new DataBufferLimitException("Exceeded limit on max bytes to buffer : " + maxBytes);
            }
            if (size + readable > bytes.length) {
                byte[] grown = new byte[(int) Math.min(maxBytes, Math.max((long) bytes.length * 2, size + readable))];
                System.arraycopy(bytes, 0, grown, 0, size);
                bytes = grown;
            }
            chunk.readBytes(bytes, size, readable);
            size += readable;
        }

        byte[] bytes() {
            if (size == bytes.length) {
                return bytes;
            }
            byte[] exact = new byte[size];
            System.arraycopy(bytes, 0, exact, 0, size);
            return exact;
        }
    }
}
