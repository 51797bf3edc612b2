package io.herald.edge.web;

import io.herald.core.app.AppStore;
import io.herald.core.ratelimit.ConnectionQuota;
import io.herald.edge.PusherSessions;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import org.reactivestreams.Publisher;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The WebSocket endpoint {@code /app/{key}?protocol=7&client=…&version=…}, served by a Reactor
 * Netty route below Spring's WebFlux dispatcher (Spring Boot applies every
 * {@link NettyRouteProvider} bean to its server and hands whatever no route takes to Spring).
 *
 * <p>Why below Spring: a WebFlux exchange (request, response, attributes, the observation and
 * security filter chain's objects, the handler's operator chain) stayed reachable for the whole
 * life of each connection — about a third of an idle connection's heap — and its dispatch was
 * a large part of what the JIT had to compile before the first connections were fast. Here the
 * upgrade is Reactor Netty's own, and the connection is one {@link WebSocketConnection}.
 *
 * <p>What the route takes, and answers as Spring's {@code HandshakeWebSocketService} did:
 * <ul>
 * <li>every request to {@code /app/*} (one path segment), and every {@code Upgrade: websocket}
 *     request whatever its path: a method other than GET is answered 405, a request that is not
 *     a WebSocket handshake (no {@code Upgrade: websocket}, no {@code Connection: upgrade}, no
 *     {@code Sec-WebSocket-Key}) 400, an unsupported {@code Sec-WebSocket-Version} 426 (by Netty's
 *     handshaker);</li>
 * <li>a handshake to any other path than {@code /app/{key}} is accepted and then closed with
 *     4005 ("Path not found"), as Pusher does, so that clients see the documented code;</li>
 * <li>the Pusher checks of an accepted handshake are {@link WebSocketConnection}'s (4008, 4006,
 *     4007, 4001, 4003, 4004, 4100, each {@code pusher:error} then close).</li>
 * </ul>
 * No WebSocket extension is offered (permessage-deflate stays off: the shared pre-encoded frames
 * of {@link WebSocketTransport} need frames nobody rewrites) and no sub-protocol is selected;
 * an inbound frame over {@code herald.edge.max-frame-size} is closed with 1009 by Netty's decoder, a
 * message whose fragments together pass it by {@link WebSocketConnection}.
 */
public final class PusherWebSocketRoute implements NettyRouteProvider {

    /** The path prefix of the Pusher WebSocket endpoint. */
    public static final String PATH_PREFIX = "/app/";

    final AppStore apps;
    final PusherSessions sessions;
    final int minProtocol;
    final int maxProtocol;
    /** {@code null}: no connection quota. */
    final ConnectionQuota quota;
    final int maxFramePayload;
    private final WebsocketServerSpec spec;

    /**
     * @param quota the apps' concurrent-connection quota ({@code maxConnections}; over it a new
     *        connection is refused with 4004), or {@code null} for none
     * @param maxFramePayload the largest inbound frame (and message, fragments joined), in bytes
     */
    public PusherWebSocketRoute(AppStore apps, PusherSessions sessions, int minProtocol, int maxProtocol,
            ConnectionQuota quota, int maxFramePayload) {
        this.apps = apps;
        this.sessions = sessions;
        this.minProtocol = minProtocol;
        this.maxProtocol = maxProtocol;
        this.quota = quota;
        this.maxFramePayload = maxFramePayload;
        this.spec = WebsocketServerSpec.builder().maxFramePayloadLength(maxFramePayload).build();
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(PusherWebSocketRoute::takes, this::handle);
    }

    /** Requests to {@code /app/*}, and WebSocket handshakes to any path. */
    static boolean takes(HttpServerRequest request) {
        return isWebSocketUpgrade(request.requestHeaders()) || isAppPath(rawPath(request.uri()));
    }

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        HttpHeaders headers = request.requestHeaders();
        if (!HttpMethod.GET.equals(request.method())) {
            response.header(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
            return response.status(HttpResponseStatus.METHOD_NOT_ALLOWED).send();
        }
        if (!isWebSocketUpgrade(headers)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            return response.status(HttpResponseStatus.BAD_REQUEST).send();
        }
        URI uri;
        try {
            uri = new URI(request.uri());
        }
        catch (URISyntaxException ex) {
            return response.status(HttpResponseStatus.BAD_REQUEST).send();
        }
        String key = keyOf(uri.getRawPath());
        String protocol = key == null ? null : queryParam(uri.getRawQuery(), "protocol");
        return response.sendWebsocket((in, out) -> new WebSocketConnection(this, in, out, key, protocol), spec);
    }

    private static boolean isWebSocketUpgrade(HttpHeaders headers) {
        return headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** What Spring's {@code /app/*} pattern matched: the prefix and one segment, possibly empty or with a trailing slash. */
    static boolean isAppPath(String rawPath) {
        if (rawPath == null || !rawPath.startsWith(PATH_PREFIX)) {
            return false;
        }
        int slash = rawPath.indexOf('/', PATH_PREFIX.length());
        return slash < 0 || slash == rawPath.length() - 1;
    }

    /** The path of a request target, without its query. */
    private static String rawPath(String requestTarget) {
        int query = requestTarget.indexOf('?');
        return query < 0 ? requestTarget : requestTarget.substring(0, query);
    }

    /** The key in {@code /app/{key}}, or {@code null} when the path is anything else. */
    static String keyOf(String rawPath) {
        if (rawPath == null || !rawPath.startsWith(PATH_PREFIX)) {
            return null;
        }
        String key = rawPath.substring(PATH_PREFIX.length());
        if (key.endsWith("/")) {
            key = key.substring(0, key.length() - 1);
        }
        if (key.isEmpty() || key.indexOf('/') >= 0) {
            return null;
        }
        return java.net.URLDecoder.decode(key, StandardCharsets.UTF_8);
    }

    /**
     * The first value of a query parameter as it is in the URI (not decoded, as Spring's
     * {@code UriComponentsBuilder.getQueryParams()} gave it): {@code null} when absent or given
     * without {@code =}, empty when given as {@code name=}.
     */
    static String queryParam(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            int equals = rawQuery.indexOf('=', start);
            int nameEnd = equals < 0 || equals > end ? end : equals;
            if (nameEnd - start == name.length() && rawQuery.startsWith(name, start)) {
                return nameEnd == end ? null : rawQuery.substring(nameEnd + 1, end);
            }
            start = end + 1;
        }
        return null;
    }
}
