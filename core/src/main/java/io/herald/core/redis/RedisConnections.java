package io.herald.core.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsCnameCache;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's connections to Redis, in one place: one Lettuce {@link ClientResources} (event
 * loops, reconnect backoff) and one {@link RedisClient} for every adapter, the shards
 * ({@link #shards()}, with the one {@link io.herald.core.shard.ShardRouter}) and the state Redis
 * ({@link #state()}), and the health of each.
 *
 * <p>Every connection is made the same way ({@link #connect}): fail fast while disconnected
 * (commands are rejected, never queued without bound), reconnect by itself with capped
 * exponential backoff ({@code reconnect-max-delay}), bounded command and connect times, and a
 * server that is down when Herald starts connected in the background when it comes up. A
 * blocking read ({@code XREADGROUP … BLOCK}) may take {@link #MAX_BLOCK} longer than another
 * command. Targets are described without credentials ({@link RedisTarget}).
 *
 * <p>Nothing is started before the first connection, so a process without Redis pays nothing.
 * {@link #close()} closes what is still open, then the client, then the resources, once; in
 * Spring every adapter depends on this bean and is closed before it.
 */
public final class RedisConnections implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);

    /** The longest a blocking read may wait in Redis; longer requested waits must be cut to this. */
    public static final Duration MAX_BLOCK = Duration.ofSeconds(1);

    /** The longest a DNS answer for a Redis host is reused ({@link #dnsResolver()}). */
    static final Duration DNS_MAX_TTL = Duration.ofSeconds(5);

    /** How long {@link #close()} waits for the client, then the resources, to shut down. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

    /**
     * One socket write per event-loop turn for the commands queued in it, not one per command.
     * Lettuce flushes each command as it is written; commands issued from other threads (every
     * publish from an HTTP event loop) arrive on the connection's event loop as queued tasks, and
     * those that queue up together now leave in one write: one syscall here, and one read and
     * one reply write in Redis, for all of them. The first flush of a turn schedules the real
     * flush behind the tasks already queued, so a command waits at most for them; while the
     * connection is reading (replies completing commands that issue more), flushes wait for the
     * end of the read. Netty's {@link FlushConsolidationHandler}, first in every channel's pipeline
     * (nearest the socket), so it sees every flush.
     */
    static final NettyCustomizer FLUSH_PER_LOOP_TURN = new NettyCustomizer() {
        @Override
        public void afterChannelInitialized(Channel channel) {
            channel.pipeline().addFirst(FLUSH_HANDLER, new FlushConsolidationHandler(
                    FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        }
    };

    /** The name of {@link #FLUSH_PER_LOOP_TURN}'s handler in a connection's pipeline. */
    static final String FLUSH_HANDLER = "herald-flush-per-loop-turn";

    /** The health name of the state Redis. */
    public static final String STATE = "state";

    private final RedisProperties properties;
    private final RedisShards shards;
    private final RedisTarget state;
    private final Set<RedisLink<?>> links = ConcurrentHashMap.newKeySet();
    private final Set<CompletableFuture<Void>> closingLinks = ConcurrentHashMap.newKeySet();
    private ClientResources resources;
    private RedisClient client;
    private boolean closed;
    private int leftOpenAtClose = -1;

    public RedisConnections(RedisProperties properties) {
        this.properties = Objects.requireNonNull(properties, "properties");
        List<RedisShard> list = new ArrayList<>();
        for (int i = 0; i < properties.shards().size(); i++) {
            list.add(new RedisShard(i, RedisTarget.of(properties.shards().get(i))));
        }
        this.shards = list.isEmpty() ? null : new RedisShards(this, list);
        this.state = properties.state() == null ? null : RedisTarget.of(properties.state());
    }

    public RedisProperties properties() {
        return properties;
    }

    /** The prefix of every key and pub/sub channel ({@code herald.redis.key-prefix}). */
    public String keyPrefix() {
        return properties.keyPrefix();
    }

    /** Whether {@code herald.redis.shards} lists any shard. */
    public boolean hasShards() {
        return shards != null;
    }

    /**
     * The shards: one instance, so the broker, the channel state and the cache route every
     * channel alike.
     *
     * @throws IllegalStateException when {@code herald.redis.shards} is empty
     */
    public RedisShards shards() {
        if (shards == null) {
            throw new IllegalStateException("herald.redis.shards must list at least one Redis URI");
        }
        return shards;
    }

    /**
     * The state Redis ({@code herald.redis.state}).
     *
     * @throws IllegalStateException when it is not set
     */
    public RedisTarget state() {
        if (state == null) {
            throw new IllegalStateException("herald.redis.state is not set");
        }
        return state;
    }

    /**
     * A connection to {@code target}, made in the background now.
     *
     * @param name the target's name in health details: {@code shard-<n>} or {@link #STATE}
     * @param purpose what the connection is for, in logs ("broker publisher", "webhook queue")
     * @param prepare run on the new connection before anyone can use it (e.g. adding a
     *        pub/sub listener); may be {@code null}
     * @param unavailable the adapter's error while the target is unavailable
     */
    public <C extends StatefulConnection<?, ?>> RedisLink<C> connect(String name, RedisTarget target, String purpose,
            RedisLink.Connector<C> connector, Consumer<C> prepare, RedisUnavailable unavailable) {
        RedisLink<C> link = new RedisLink<>(this, Objects.requireNonNull(name, "name"),
                Objects.requireNonNull(target, "target"), Objects.requireNonNull(purpose, "purpose"),
                Objects.requireNonNull(connector, "connector"), prepare,
                Objects.requireNonNull(unavailable, "unavailable"));
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("The Redis connections are closed");
            }
            client();
            links.add(link);
        }
        link.start();
        return link;
    }

    /** A connection to the state Redis; see {@link #connect}. Its error is a {@link RedisUnavailableException}. */
    public <C extends StatefulConnection<?, ?>> RedisLink<C> connectState(String purpose,
            RedisLink.Connector<C> connector, Consumer<C> prepare) {
        return connect(STATE, state(), purpose, connector, prepare, RedisUnavailable.STATE);
    }

    /** The event loops of the shared resources, for an adapter's periodic work. Never block on them. */
    public EventExecutorGroup executor() {
        client();
        return resources.eventExecutorGroup();
    }

    synchronized RedisClient client() {
        if (client == null) {
            if (closed) {
                throw new IllegalStateException("The Redis connections are closed");
            }
            resources = ClientResources.builder()
                    .reconnectDelay(Delay.exponential(RedisProperties.FIRST_RECONNECT_DELAY, properties.reconnectMaxDelay(), 2,
                            TimeUnit.MILLISECONDS))
                    .nettyCustomizer(FLUSH_PER_LOOP_TURN)
                    .addressResolverGroup(dnsResolver())
                    .build();
            client = RedisClient.create(resources);
            client.setOptions(options(properties));
        }
        return client;
    }

    /**
     * Lettuce's DNS resolver (Netty's, as Lettuce sets it up) with answers cached at most
     * {@link #DNS_MAX_TTL}. Lettuce caches each answer for its DNS TTL, and container DNS may hand out
     * long ones (podman's aardvark-dns: a day): a Redis whose container restarted with a new address
     * (a shard's container stopped and started again) would be reconnected to at its old address
     * until then. Lookups happen only when a connection is made, so the cap costs nothing else.
     */
    static AddressResolverGroup<?> dnsResolver() {
        return dnsResolver(DnsServerAddressStreamProviders.platformDefault());
    }

    /** {@link #dnsResolver()} asking the given name servers (tests: a server of their own). */
    static AddressResolverGroup<?> dnsResolver(DnsServerAddressStreamProvider nameServers) {
        int maxTtl = (int) DNS_MAX_TTL.toSeconds();
        return new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(Transports.datagramChannelClass())
                .socketChannelType(Transports.socketChannelClass().asSubclass(SocketChannel.class))
                .nameServerProvider(nameServers)
                .cnameCache(new DefaultDnsCnameCache(0, maxTtl))
                .resolveCache(new DefaultDnsCache(0, maxTtl, 0)));
    }

    /** Auto-reconnect, reject commands while disconnected, the configured timeouts. */
    static ClientOptions options(RedisProperties properties) {
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
        return ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(timeouts)
                .socketOptions(SocketOptions.builder().connectTimeout(properties.connectTimeout()).build())
                .build();
    }

    /** A link closed by its adapter: the client must not shut down before that close is done. */
    void forget(RedisLink<?> link, CompletableFuture<Void> closing) {
        links.remove(link);
        if (!closing.isDone()) {
            closingLinks.add(closing);
            closing.whenComplete((ok, error) -> closingLinks.remove(closing));
        }
    }

    /**
     * The health of every target that has connections now, by name ({@code shard-0} …,
     * {@code state}), in shard order: up when each of its connections is.
     */
    public Map<String, TargetHealth> health() {
        Map<String, TargetHealth> out = new LinkedHashMap<>();
        if (shards != null) {
            for (RedisShard shard : shards.list()) {
                health(shard.name(), shard.target()).ifPresent(h -> out.put(shard.name(), h));
            }
        }
        if (state != null) {
            health(STATE, state).ifPresent(h -> out.put(STATE, h));
        }
        return out;
    }

    private Optional<TargetHealth> health(String name, RedisTarget target) {
        List<RedisLink<?>> of = links.stream().filter(l -> l.name().equals(name)).toList();
        if (of.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TargetHealth(target.description(), of.stream().allMatch(RedisLink::isUp)));
    }

    /**
     * One target's health.
     *
     * @param target its description, without credentials
     * @param up whether every connection to it is open
     */
    public record TargetHealth(String target, boolean up) {
    }

    /** Closes every connection still open, then the client, then the shared resources; once. */
    @Override
    public void close() {
        RedisClient closing;
        ClientResources shared;
        List<RedisLink<?>> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closing = client;
            shared = resources;
            open = List.copyOf(links);
            links.clear();
            leftOpenAtClose = open.size();
        }
        if (closing == null) {
            return;
        }
        List<CompletableFuture<Void>> all = new ArrayList<>(closingLinks);
        open.forEach(link -> all.add(link.closeAsync()));
        CompletableFuture<?>[] connections = all.toArray(CompletableFuture[]::new);
        // The shared event loops go only after the client has closed its connections; shutting
        // them down first makes Netty reject the connections' close notifications.
        await(CompletableFuture.allOf(connections), "connections");
        await(closing.shutdownAsync(0, 2, TimeUnit.SECONDS), "client");
        await(shared.shutdown(0, 2, TimeUnit.SECONDS), "resources");
        log.debug("Redis connections closed");
    }

    private static void await(Future<?> future, String what) {
        try {
            future.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException ex) {
            log.debug("The Redis {} did not close within {}", what, CLOSE_TIMEOUT, ex);
        }
    }

    /** Whether {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** How many connections adapters had left open when {@link #close()} ran; -1 before. */
    synchronized int leftOpenAtClose() {
        return leftOpenAtClose;
    }

    /** Whether the shared resources have been shut down (only ever by {@link #close()}). */
    synchronized boolean resourcesShutDown() {
        return resources != null && resources.eventExecutorGroup().isShutdown();
    }
}
