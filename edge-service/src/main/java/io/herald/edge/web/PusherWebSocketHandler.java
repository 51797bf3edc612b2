package io.herald.edge.web;

import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import io.herald.core.ratelimit.ConnectionQuota;
import io.herald.core.error.PusherError;
import io.herald.core.protocol.PusherCodec;
import io.herald.edge.PusherSessions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * The WebSocket endpoint {@code /app/{key}?protocol=7&client=…&version=…}.
 *
 * <p>Checks the handshake as Pusher does, each failure answered with {@code pusher:error} and a
 * close with the documented code: no protocol (4008), a protocol that is not a number (4006),
 * an unsupported protocol (4007), an unknown key (4001), a disabled app (4003). A connection
 * that passes is handed to {@link PusherSessions}. While auth-service is unreachable the app store
 * answers from the last known view of the app ({@code herald.auth.max-staleness}); when it cannot
 * (an app never seen, or seen too long ago), the connection is closed with 4100 so that clients
 * retry with back-off.
 */
public final class PusherWebSocketHandler implements WebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(PusherWebSocketHandler.class);

    /** The path prefix of the Pusher WebSocket endpoint. */
    public static final String PATH_PREFIX = "/app/";

    /** The session attribute holding the code of a refused handshake, for the count. */
    static final String REFUSED = PusherWebSocketHandler.class.getName() + ".refused";

    private final AppStore apps;
    private final PusherSessions sessions;
    private final int minProtocol;
    private final int maxProtocol;
    private final ConnectionQuota quota;

    /** A handler that enforces no connection quota. */
    public PusherWebSocketHandler(AppStore apps, PusherSessions sessions, int minProtocol, int maxProtocol) {
        this(apps, sessions, minProtocol, maxProtocol, null);
    }

    /**
     * @param quota the apps' concurrent-connection quota ({@code maxConnections}; over it a new
     *        connection is refused with 4004), or {@code null} for none
     */
    public PusherWebSocketHandler(AppStore apps, PusherSessions sessions, int minProtocol, int maxProtocol,
            ConnectionQuota quota) {
        this.quota = quota;
        this.apps = apps;
        this.sessions = sessions;
        this.minProtocol = minProtocol;
        this.maxProtocol = maxProtocol;
    }

    /** Serves the connection; a refusal is counted with its code, as an accepted connection is when it ends. */
    @Override
    public Mono<Void> handle(WebSocketSession session) {
        return check(session).doFinally(signal -> {
            if (session.getAttributes().get(REFUSED) instanceof Integer code) {
                sessions.closes().count(code);
            }
        });
    }

    private Mono<Void> check(WebSocketSession session) {
        URI uri = session.getHandshakeInfo().getUri();
        String key = keyOf(uri.getRawPath());
        if (key == null) {
            return refuse(session, PusherError.PATH_NOT_FOUND, PusherError.PATH_NOT_FOUND.message());
        }
        String protocol = UriComponentsBuilder.fromUri(uri).build().getQueryParams().getFirst("protocol");
        if (protocol == null || protocol.isEmpty()) {
            return refuse(session, PusherError.NO_PROTOCOL, PusherError.NO_PROTOCOL.message());
        }
        int version;
        try {
            version = Integer.parseInt(protocol);
        }
        catch (NumberFormatException ex) {
            return refuse(session, PusherError.INVALID_VERSION, PusherError.INVALID_VERSION.message());
        }
        if (version < minProtocol || version > maxProtocol) {
            return refuse(session, PusherError.UNSUPPORTED_PROTOCOL, PusherError.UNSUPPORTED_PROTOCOL.message()
                    + ": " + version + "; supported are " + minProtocol + " to " + maxProtocol);
        }
        return apps.findByKey(key).map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap(app -> {
            if (app.isEmpty()) {
                log.debug("Refused a connection for unknown key {}", key);
                return refuse(session, PusherError.APP_NOT_FOUND,
                        PusherError.APP_NOT_FOUND.message() + ": no app has the key " + key);
            }
            App found = app.get();
            if (!found.enabled()) {
                return refuse(session, PusherError.APP_DISABLED, PusherError.APP_DISABLED.message());
            }
            int limit = found.limits().maxConnections();
            if (quota == null || limit <= 0) {
                return sessions.run(session, WebSocketTransport.of(session), found);
            }
            return quota.open(found.id(), limit).flatMap(taken -> taken
                    ? sessions.run(session, WebSocketTransport.of(session), found).doFinally(signal -> quota.close(found.id()))
                    : refuse(session, PusherError.OVER_CONNECTION_QUOTA, PusherError.OVER_CONNECTION_QUOTA.message()
                            + " (" + limit + " concurrent connections)"));
        }).onErrorResume(ex -> {
            // The app store (auth-service, for an edge in a cluster) cannot answer: the documented
            // "back off and retry" range, so clients come back instead of giving up.
            // Debug only: the app store logs the outage once (CachingAppStore), not once per connection.
            log.debug("Could not look up the app of key {}: {}", key, ex.toString());
            return refuse(session, PusherError.OVER_CAPACITY, "Temporarily unable to check the application; retry");
        });
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

    /** Sends {@code pusher:error} with the code, then closes with it, as Pusher does. */
    static Mono<Void> refuse(WebSocketSession session, PusherError error, String message) {
        session.getAttributes().put(REFUSED, error.code());
        return session.send(Mono.just(session.textMessage(new String(PusherCodec.error(error.code(), message),
                StandardCharsets.UTF_8))))
                .then(session.close(new CloseStatus(error.code(), error.message())))
                .onErrorResume(ex -> Mono.empty());
    }
}
