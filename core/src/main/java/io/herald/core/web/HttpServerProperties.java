package io.herald.core.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits on slow HTTP clients, and the socket option of accepted connections, applied to every
 * HTTP listener of every Herald service
 * ({@code herald.http.*}); see {@link HttpConnectionGuard}. A WebSocket connection is under
 * these limits only until its upgrade is answered; after that the edge's own activity check
 * (ping, then 4201) watches it.
 *
 * @param headerReadTimeout how long a client may take to send a request's line and headers,
 *        from its first byte; a client that is slower is answered 408 and disconnected
 * @param idleTimeout how long a connection may stay open without sending a request: before the
 *        first one and between keep-alive requests; after it the connection is closed
 * @param observePusherPaths whether Spring's {@code http.server.requests} observation (the
 *        {@code http_server_requests_seconds} meters) also covers the Pusher paths ({@link PusherPaths}):
 *        off by default, as it cost ~20 % of a signed publish and {@code herald.publish.latency},
 *        {@code herald.publish.errors} and the edge's meters already measure them
 * @param tcpNoDelay whether accepted connections send each write at once ({@code TCP_NODELAY}, on
 *        by default, as Reactor Netty has it); off, the kernel holds a small write while an earlier
 *        one is unacknowledged (Nagle's algorithm). Measured on loopback (docs/benchmarks.md, stop
 *        20): off cuts the server's CPU per delivery by ~40 % (most of it moved to the receiving
 *        side, which sends a held frame when its ACK arrives) and adds tens of milliseconds to
 *        every delivery's latency, because a subscriber's delayed ACK then paces its frames
 */
@ConfigurationProperties("herald.http")
public record HttpServerProperties(
        @DefaultValue("10s") Duration headerReadTimeout,
        @DefaultValue("60s") Duration idleTimeout,
        @DefaultValue("false") boolean observePusherPaths,
        @DefaultValue("true") boolean tcpNoDelay) {

    /** The defaults. */
    public static final HttpServerProperties DEFAULTS = new HttpServerProperties(Duration.ofSeconds(10),
            Duration.ofSeconds(60), false, true);

    public HttpServerProperties {
        List<String> problems = new ArrayList<>();
        if (headerReadTimeout == null || headerReadTimeout.toMillis() < 1) {
            problems.add("herald.http.header-read-timeout must be at least 1ms, was " + headerReadTimeout);
        }
        if (idleTimeout == null || idleTimeout.toMillis() < 1) {
            problems.add("herald.http.idle-timeout must be at least 1ms, was " + idleTimeout);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
