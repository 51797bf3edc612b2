package io.herald.core.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One long-lived connection to a Redis target, made by {@link RedisConnections#connect}: connected
 * in the background and retried with capped exponential backoff until it succeeds (a server that
 * is down when Herald starts is connected when it comes up), then reconnected by Lettuce itself.
 * While it is not connected, calls fail at once with the adapter's unavailable error; commands are
 * never queued.
 *
 * @param <C> the kind of connection (commands or pub/sub, and its codec)
 */
public final class RedisLink<C extends StatefulConnection<?, ?>> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);

    /** How a link opens its connection: one of Lettuce's {@code connect*Async} methods. */
    @FunctionalInterface
    public interface Connector<C> {

        CompletionStage<C> connect(RedisClient client, RedisURI uri);
    }

    private final RedisConnections owner;
    private final String name;
    private final RedisTarget target;
    private final String purpose;
    private final Connector<C> connector;
    private final Consumer<C> prepare;
    private final RedisUnavailable unavailable;
    private final CompletableFuture<C> first = new CompletableFuture<>();
    private final CompletableFuture<C> firstAttempt = new CompletableFuture<>();
    private final List<Runnable> reconnectHooks = new CopyOnWriteArrayList<>();
    private volatile C connection;
    private volatile boolean closed;

    RedisLink(RedisConnections owner, String name, RedisTarget target, String purpose, Connector<C> connector,
            Consumer<C> prepare, RedisUnavailable unavailable) {
        this.owner = owner;
        this.name = name;
        this.target = target;
        this.purpose = purpose;
        this.connector = connector;
        this.prepare = prepare;
        this.unavailable = unavailable;
    }

    /** The target's name in health details and messages: {@code shard-0}, {@code state}. */
    public String name() {
        return name;
    }

    public RedisTarget target() {
        return target;
    }

    /** The connection, or {@code null} before the first one is made. It may be reconnecting. */
    public C connection() {
        return connection;
    }

    /** Whether the connection is made and open now. */
    public boolean isUp() {
        C current = connection;
        return current != null && current.isOpen();
    }

    /**
     * Runs {@code hook} each time Lettuce has connected this link again after losing the
     * connection (not for the first connection): the server may have restarted, with or without
     * its data. Called on a Lettuce I/O thread, so it must not block; a hook that throws is logged.
     */
    public void onReconnect(Runnable hook) {
        reconnectHooks.add(java.util.Objects.requireNonNull(hook, "hook"));
    }

    private void reconnected() {
        for (Runnable hook : reconnectHooks) {
            try {
                hook.run();
            }
            catch (RuntimeException ex) {
                log.warn("A reconnection hook of {} failed", this, ex);
            }
        }
    }

    /** Completes with the first connection; a copy, so a caller giving up never cancels it. */
    public CompletableFuture<C> firstConnection() {
        return first.copy();
    }

    /**
     * The connection, waiting for the first attempt to make it if it is still under way (at most
     * the connect timeout); fails with the unavailable error when there is none, or it is not
     * open. Never blocks.
     */
    public Mono<C> await() {
        return Mono.defer(() -> {
            C current = connection;
            if (current != null) {
                return current.isOpen() ? Mono.just(current) : Mono.error(unavailable(null));
            }
            if (firstAttempt.isDone()) {
                return Mono.error(unavailable(null));
            }
            return Mono.fromFuture(firstAttempt.copy())
                    .timeout(owner.properties().connectTimeout())
                    .onErrorMap(ex -> unavailable(ex));
        });
    }

    /**
     * Runs {@code command} on the connection if it is up, else fails at once. Failures are mapped
     * as {@link RedisUnavailable} says.
     */
    public <T> Mono<T> run(Function<C, Mono<T>> command) {
        return Mono.defer(() -> {
            C current = connection;
            if (current == null || !current.isOpen()) {
                return Mono.error(unavailable(null));
            }
            return command.apply(current).onErrorMap(RedisUnavailable::isUnavailable, this::unavailable);
        });
    }

    /**
     * As {@link #run}, but first waits for a first connection attempt still under way, as
     * {@link #await()} does: for adapters used right after they are made.
     */
    public <T> Mono<T> awaitAndRun(Function<C, Mono<T>> command) {
        return await().flatMap(connection -> command.apply(connection)
                .onErrorMap(RedisUnavailable::isUnavailable, this::unavailable));
    }

    /** As {@link #awaitAndRun}, for a command answering several values. */
    public <T> Flux<T> awaitAndRunMany(Function<C, Flux<T>> command) {
        return await().flatMapMany(connection -> command.apply(connection)
                .onErrorMap(RedisUnavailable::isUnavailable, this::unavailable));
    }

    /** As {@link #run}, for a command answering several values. */
    public <T> Flux<T> runMany(Function<C, Flux<T>> command) {
        return Flux.defer(() -> {
            C current = connection;
            if (current == null || !current.isOpen()) {
                return Flux.error(unavailable(null));
            }
            return command.apply(current).onErrorMap(RedisUnavailable::isUnavailable, this::unavailable);
        });
    }

    /**
     * The adapter's unavailable error for this target, naming it without credentials. A timeout
     * says so: the target is up but did not answer in time, which is not an outage.
     */
    public RuntimeException unavailable(Throwable cause) {
        if (cause instanceof RedisCommandTimeoutException) {
            return unavailable.error(describe() + " did not answer in time (" + cause.getMessage() + ")", cause);
        }
        return unavailable.error(describe() + " is unavailable", cause);
    }

    private String describe() {
        return name.startsWith("shard-") ? "Redis shard " + name.substring("shard-".length()) + " (" + target + ")"
                : "The state Redis (" + target + ")";
    }

    void start() {
        connect(0);
    }

    private void connect(int attempt) {
        if (closed) {
            return;
        }
        CompletionStage<C> connecting;
        try {
            connecting = connector.connect(owner.client(), target.uri());
        }
        catch (RuntimeException ex) {
            connecting = CompletableFuture.failedFuture(ex);
        }
        connecting.whenComplete((made, error) -> {
            if (error == null) {
                if (closed) {
                    made.closeAsync();
                    return;
                }
                if (attempt > 0) {
                    log.info("{} connected to {} after {} attempts", capitalized(purpose), describe(), attempt + 1);
                }
                if (prepare != null) {
                    prepare.accept(made);
                }
                if (made instanceof RedisChannelHandler<?, ?> handler) {
                    // Added once made, so only the reconnections Lettuce makes from now on are told.
                    handler.addListener(new RedisConnectionStateListener() {
                        @Override
                        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                            reconnected();
                        }
                    });
                }
                connection = made;
                firstAttempt.complete(made);
                first.complete(made);
                return;
            }
            firstAttempt.completeExceptionally(error);
            if (attempt == 0) {
                log.warn("{} is unreachable for the {}: {}; retrying in the background", describe(), purpose,
                        error.getMessage());
            }
            Duration max = owner.properties().reconnectMaxDelay();
            long delay = Math.min(max.toMillis(), 50L << Math.min(attempt, 10));
            try {
                owner.executor().schedule(() -> connect(attempt + 1), delay, TimeUnit.MILLISECONDS);
            }
            catch (RuntimeException ex) {
                // The connections are shutting down.
                log.debug("Not retrying {}: {}", describe(), ex.toString());
            }
        });
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** Closes the connection and stops retrying; the link no longer counts for health. */
    @Override
    public void close() {
        owner.forget(this, closeAsync());
    }

    CompletableFuture<Void> closeAsync() {
        closed = true;
        first.completeExceptionally(new IllegalStateException("closed"));
        firstAttempt.completeExceptionally(new IllegalStateException("closed"));
        C current = connection;
        return current == null ? CompletableFuture.completedFuture(null) : current.closeAsync();
    }

    @Override
    public String toString() {
        return purpose + " → " + name + " (" + target + ")";
    }
}
