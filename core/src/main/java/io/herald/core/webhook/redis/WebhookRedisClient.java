package io.herald.core.webhook.redis;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The connections to the state Redis ({@code herald.redis.state}) that the webhook queue and
 * failure log use: one shared connection for short commands and one for the queue's blocking
 * reads (a blocked {@code XREADGROUP} would hold up every other command on a shared connection).
 *
 * <p>Both are made by {@link RedisConnections} in the background, so a service starts while the
 * state Redis is down and connects when it comes up; an open connection reconnects by itself
 * with capped exponential backoff. While disconnected, commands are rejected at once (a
 * {@link io.herald.core.redis.RedisUnavailableException}) rather than queued without bound; a
 * command made while the first connection attempt is under way waits for it.
 */
public final class WebhookRedisClient implements AutoCloseable {

    /** The longest a blocking read may wait in Redis; longer requested waits are cut to this. */
    public static final Duration MAX_BLOCK = RedisConnections.MAX_BLOCK;

    private final String keyPrefix;
    private final RedisLink<StatefulRedisConnection<String, String>> shared;
    private final RedisLink<StatefulRedisConnection<String, String>> blocking;

    /** A client of the state Redis of {@code connections}, which must be set. */
    public WebhookRedisClient(RedisConnections connections) {
        Objects.requireNonNull(connections, "connections");
        connections.state();
        this.keyPrefix = connections.keyPrefix();
        this.shared = connections.connectState("webhook queue",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
        this.blocking = connections.connectState("webhook queue's blocking reads",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
    }

    /** The prefix of every key ({@code herald.redis.key-prefix}). */
    public String keyPrefix() {
        return keyPrefix;
    }

    /**
     * Runs {@code command} on the shared connection, for short commands. While the state Redis
     * is unreachable it fails with a {@link io.herald.core.redis.RedisUnavailableException};
     * errors Redis answers are passed on (see {@link io.herald.core.redis.RedisUnavailable}).
     */
    public <T> Mono<T> run(Function<RedisReactiveCommands<String, String>, Mono<T>> command) {
        return shared.awaitAndRun(connection -> command.apply(connection.reactive()));
    }

    /** As {@link #run}, for a command answering several values. */
    public <T> Flux<T> runMany(Function<RedisReactiveCommands<String, String>, Flux<T>> command) {
        return shared.awaitAndRunMany(connection -> command.apply(connection.reactive()));
    }

    /** As {@link #run}, on the connection reserved for blocking reads. */
    public <T> Mono<T> runBlocking(Function<RedisReactiveCommands<String, String>, Mono<T>> command) {
        return blocking.awaitAndRun(connection -> command.apply(connection.reactive()));
    }

    /** Closes both connections; the shared client and resources stay. */
    @Override
    public void close() {
        shared.close();
        blocking.close();
    }
}
