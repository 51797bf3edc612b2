package io.herald.publish.web;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * A request of Spring WebFlux's functional routes as an {@link ApiRequest}; an accepted request's app
 * id goes into the request attribute {@link RequestAuthenticator#APP_ATTRIBUTE}, where
 * {@link ApiErrorFilter} counts it.
 */
final class WebFluxApiRequest implements ApiRequest {

    private final ServerRequest request;

    WebFluxApiRequest(ServerRequest request) {
        this.request = Objects.requireNonNull(request, "request");
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String path() {
        return request.requestPath().value();
    }

    @Override
    public String appId() {
        return request.pathVariable("app_id");
    }

    @Override
    public Map<String, String> queryParams() {
        return request.queryParams().toSingleValueMap();
    }

    @Override
    public String contentType() {
        return request.headers().firstHeader(HttpHeaders.CONTENT_TYPE);
    }

    @Override
    public OptionalLong contentLength() {
        return request.headers().contentLength();
    }

    @Override
    public Mono<byte[]> body(int maxBytes) {
        return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class), maxBytes)
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    }
                    finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0]);
    }

    @Override
    public void accepted(String appId) {
        request.attributes().put(RequestAuthenticator.APP_ATTRIBUTE, appId);
    }
}
