package io.herald.core.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How every Redis client of Herald is set up, in one place: fail fast while disconnected
 * (commands are rejected, never queued without bound), reconnect by itself with capped
 * exponential back-off, bounded command and connect times.
 */
public final class RedisClients {

    private RedisClients() {
    }

    /** Client options: auto-reconnect, reject commands while disconnected, the configured timeouts. */
    public static ClientOptions failFastOptions(RedisProperties properties) {
        return failFastOptions(properties, TimeoutOptions.enabled(properties.commandTimeout()));
    }

    /** As {@link #failFastOptions(RedisProperties)}, with other command timeouts (e.g. none for blocking reads). */
    public static ClientOptions failFastOptions(RedisProperties properties, TimeoutOptions timeouts) {
        return ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(timeouts)
                .socketOptions(SocketOptions.builder().connectTimeout(properties.connectTimeout()).build())
                .build();
    }

    /** Client resources with capped exponential reconnect back-off ({@code reconnect-max-delay}). */
    public static ClientResources.Builder resources(RedisProperties properties) {
        return ClientResources.builder().reconnectDelay(Delay.exponential(Duration.ofMillis(50),
                properties.reconnectMaxDelay(), 2, TimeUnit.MILLISECONDS));
    }

    /** A Redis URI fit for logs and messages: scheme, host and port only, never a password. */
    public static String redacted(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }
}
