package io.herald.core.webhook.redis;

import io.herald.core.redis.RedisClients;
import io.herald.core.redis.RedisProperties;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The connections to the state Redis ({@code herald.redis.state}) that the webhook queue and
 * failure log use: one shared connection for short commands and one for the queue's blocking
 * reads (a blocked {@code XREADGROUP} would hold up every other command on a shared connection).
 *
 * <p>Connections are opened on first use, not at start, so that a service starts while the state
 * Redis is down; a failed connection attempt is retried on the next use, and an open connection
 * reconnects by itself with capped exponential backoff. While disconnected, commands are rejected
 * at once rather than queued without bound.
 */
public final class WebhookRedisClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookRedisClient.class);

    /** The longest a blocking read may wait in Redis; longer requested waits are cut to this. */
    public static final Duration MAX_BLOCK = Duration.ofSeconds(1);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String redactedUri;
    private final String keyPrefix;
    private final AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>> shared =
            new AtomicReference<>();
    private final AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>> blocking =
            new AtomicReference<>();

    /** A client of {@code properties.state()}, which must be set. */
    public WebhookRedisClient(RedisProperties properties) {
        Objects.requireNonNull(properties, "properties");
        URI state = Objects.requireNonNull(properties.state(), "herald.redis.state");
        this.keyPrefix = properties.keyPrefix();
        this.redactedUri = RedisClients.redacted(state);
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), properties.reconnectMaxDelay(), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        long commandMillis = properties.commandTimeout().toMillis();
        long blockingMillis = commandMillis + MAX_BLOCK.toMillis();
        TimeoutOptions timeouts = TimeoutOptions.builder().timeoutSource(new TimeoutOptions.TimeoutSource() {
            @Override
            public long getTimeout(RedisCommand<?, ?, ?> command) {
                // A blocking read legitimately takes up to MAX_BLOCK before Redis answers.
                return command.getType() == CommandType.XREADGROUP ? blockingMillis : commandMillis;
            }

            @Override
            public TimeUnit getTimeUnit() {
                return TimeUnit.MILLISECONDS;
            }
        }).build();
        this.client = RedisClient.create(resources);
        this.client.setOptions(RedisClients.failFastOptions(properties, timeouts));
        this.uri = RedisURI.create(state);
    }

    /** The prefix of every key ({@code herald.redis.key-prefix}). */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** Commands on the shared connection, for short commands. */
    public Mono<RedisReactiveCommands<String, String>> commands() {
        return connection(shared);
    }

    /** Commands on the connection reserved for blocking reads. */
    public Mono<RedisReactiveCommands<String, String>> blockingCommands() {
        return connection(blocking);
    }

    private Mono<RedisReactiveCommands<String, String>> connection(
            AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>> holder) {
        return Mono.defer(() -> {
            CompletableFuture<StatefulRedisConnection<String, String>> current = holder.get();
            if (current == null || current.isCompletedExceptionally()) {
                CompletableFuture<StatefulRedisConnection<String, String>> attempt = new CompletableFuture<>();
                if (holder.compareAndSet(current, attempt)) {
                    client.connectAsync(StringCodec.UTF8, uri).whenComplete((connection, ex) -> {
                        if (ex != null) {
                            log.warn("Cannot connect to the state Redis {} for webhooks: {}", redactedUri,
                                    ex.getMessage());
                            attempt.completeExceptionally(new IllegalStateException(
                                    "State Redis " + redactedUri + " unreachable", ex));
                        }
                        else {
                            attempt.complete(connection);
                        }
                    });
                }
                current = holder.get();
            }
            return Mono.fromCompletionStage(current).map(StatefulRedisConnection::reactive);
        });
    }

    @Override
    public void close() {
        // Shutting the client down closes its connections.
        try {
            client.shutdownAsync(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.debug("Closing the webhook Redis client did not finish cleanly", ex);
        }
    }
}
