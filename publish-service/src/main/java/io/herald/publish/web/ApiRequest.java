package io.herald.publish.web;

import java.util.Map;
import java.util.OptionalLong;
import org.springframework.core.io.buffer.DataBufferLimitException;
import reactor.core.publisher.Mono;

/**
 * One Pusher HTTP API request, as {@link RequestAuthenticator} and {@link PublishHandler} read it,
 * whichever server layer received it: Spring WebFlux's functional routes or the Reactor Netty route
 * below Spring's dispatcher ({@link PublishNettyRoutes}). The API's logic is written once, against
 * this; each layer only adapts its request to it.
 *
 * <p>Called on the request's event loop; nothing here blocks.
 */
public interface ApiRequest {

    /** The HTTP method, e.g. {@code POST}. */
    String method();

    /** The path as sent (not decoded) and as the official SDKs sign it, without the query. */
    String path();

    /** The {@code app_id} path variable. */
    String appId();

    /**
     * The query parameters, URL-decoded (a {@code +} is a space), the first value of each name: what
     * the signature covers. A name without {@code =} maps to {@code null}, with {@code =} and no value
     * to the empty string.
     */
    Map<String, String> queryParams();

    /** The {@code Content-Type} header, or {@code null} without one. */
    String contentType();

    /** The {@code Content-Length} header, empty without one. */
    OptionalLong contentLength();

    /**
     * Reads the whole body: the bytes, an empty array for none, or a {@link DataBufferLimitException}
     * once it is larger than {@code maxBytes}. Read at most once.
     */
    Mono<byte[]> body(int maxBytes);

    /**
     * Called once the request's signature is checked and its app found enabled, with the app's id:
     * from then on it is one of the app's API requests (usage counting, see {@link ApiErrorFilter}).
     */
    void accepted(String appId);
}
