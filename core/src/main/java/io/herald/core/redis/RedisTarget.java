package io.herald.core.redis;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A Redis server (or a Sentinel-managed master) as Herald connects to it: the parsed Lettuce
 * {@link RedisURI} and a description of it fit for logs, health details and error messages.
 *
 * <p>The description never holds a username or password. It names every Sentinel of a
 * {@code redis-sentinel://host1:port1,host2:port2/#master} URI and the master's name, so a
 * multi-host URI reads {@code redis-sentinel://host1:26379,host2:26380#master} rather than the
 * {@code null} host {@link URI#getHost()} gives for it.
 *
 * @param uri what Lettuce connects to
 * @param description scheme, host(s), port(s), database and Sentinel master; no credentials
 */
public record RedisTarget(RedisURI uri, String description) {

    public RedisTarget {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(description, "description");
    }

    /**
     * Parses a Redis URI in Lettuce's syntax ({@code redis://}, {@code rediss://},
     * {@code redis-socket://}, {@code redis-sentinel://}).
     *
     * @throws IllegalArgumentException when it is not one; the message never repeats the URI,
     *         which may hold a password
     */
    public static RedisTarget of(URI uri) {
        Objects.requireNonNull(uri, "uri");
        RedisURI parsed;
        try {
            // The String form: Lettuce parses several Sentinel hosts only from it.
            parsed = RedisURI.create(uri.toString());
        }
        catch (RuntimeException ex) {
            throw new IllegalArgumentException("Not a Redis URI (scheme " + uri.getScheme() + "): expected "
                    + "redis://, rediss://, redis-socket:// or redis-sentinel://host:port[,host:port]#master");
        }
        return new RedisTarget(parsed, describe(parsed));
    }

    /** What {@code uri} points at, without credentials. */
    static String describe(RedisURI uri) {
        StringBuilder out = new StringBuilder();
        if (!uri.getSentinels().isEmpty()) {
            out.append(uri.isSsl() ? "rediss-sentinel://" : "redis-sentinel://")
                    .append(uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort())
                            .collect(Collectors.joining(",")));
        }
        else if (uri.getSocket() != null) {
            out.append("redis-socket://").append(uri.getSocket());
        }
        else {
            out.append(uri.isSsl() ? "rediss://" : "redis://").append(uri.getHost()).append(':').append(uri.getPort());
        }
        if (uri.getDatabase() != 0) {
            out.append('/').append(uri.getDatabase());
        }
        if (uri.getSentinelMasterId() != null) {
            out.append('#').append(uri.getSentinelMasterId());
        }
        return out.toString();
    }

    /** The description: a record's default would print the {@link RedisURI}. */
    @Override
    public String toString() {
        return description;
    }
}
