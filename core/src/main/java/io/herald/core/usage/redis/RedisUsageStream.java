package io.herald.core.usage.redis;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.core.usage.UsageDelta;
import io.herald.core.usage.UsageStream;
import io.herald.core.redis.StreamGroup;
import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@link UsageStream} on the state Redis: one Redis Stream {@code {prefix}usage}, one entry
 * per delta ({@link UsageDeltaFields}), read by the consumer group {@value #GROUP}.
 *
 * <p>Bound: every {@code XADD} trims to about {@code maxLength} entries ({@code MAXLEN ~}),
 * acknowledged or not. Sized for minutes of deltas (the default 1,000,000 is over 15 minutes of
 * 1,000 active apps on 1 node, some 100 MB at most): an entry trimmed before metrics-service read
 * it is lost, which takes an outage of metrics-service longer than that. The group is created on
 * first use from the start of the stream, and again if Redis lost it.
 *
 * <p>Two connections: one for appends, acknowledgements and claims, one for the blocking
 * {@code XREADGROUP} (which would hold up every other command on a shared connection).
 */
public final class RedisUsageStream implements UsageStream, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisUsageStream.class);

    /** The consumer group of metrics-service. */
    public static final String GROUP = "metrics";

    /** Default bound on the stream length. */
    public static final long DEFAULT_MAX_LENGTH = 1_000_000;

    /** How many appends one flush has in flight at once. */
    private static final int APPEND_CONCURRENCY = 64;

    private static final String START = "0-0";

    private final RedisLink<StatefulRedisConnection<String, String>> shared;
    private final RedisLink<StatefulRedisConnection<String, String>> blocking;
    private final String key;
    private final long maxLength;
    private final StreamGroup group;
    private final Map<String, String> reclaimCursors = new ConcurrentHashMap<>();

    public RedisUsageStream(RedisConnections connections, long maxLength) {
        Objects.requireNonNull(connections, "connections");
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive");
        }
        this.maxLength = maxLength;
        this.key = connections.keyPrefix() + "usage";
        this.shared = connections.connectState("usage stream",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
        this.group = new StreamGroup(() -> shared.awaitAndRun(c -> c.reactive().xgroupCreate(
                XReadArgs.StreamOffset.from(key, "0"), GROUP,
                XGroupCreateArgs.Builder.mkstream())));
        this.blocking = connections.connectState("usage stream's blocking reads",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
    }

    /** The stream's key. */
    public String key() {
        return key;
    }

    @Override
    public Mono<Void> append(List<UsageDelta> deltas) {
        Objects.requireNonNull(deltas, "deltas");
        XAddArgs args = new XAddArgs().maxlen(maxLength).approximateTrimming();
        return Flux.fromIterable(deltas)
                .flatMap(delta -> shared.awaitAndRun(c -> c.reactive().xadd(key, args, UsageDeltaFields.encode(delta))),
                        APPEND_CONCURRENCY)
                .then();
    }

    @Override
    public Mono<List<Entry>> read(String consumer, int max, Duration wait) {
        Objects.requireNonNull(consumer, "consumer");
        Duration block = wait.compareTo(RedisConnections.MAX_BLOCK) > 0 ? RedisConnections.MAX_BLOCK : wait;
        XReadArgs args = XReadArgs.Builder.count(max);
        if (block.toMillis() > 0) {
            args.block(block);
        }
        return group.run(blocking.awaitAndRun(c -> c.reactive()
                .xreadgroup(Consumer.from(GROUP, consumer), args, XReadArgs.StreamOffset.lastConsumed(key))
                .collectList()))
                .flatMap(this::decode);
    }

    @Override
    public Mono<List<Entry>> reclaim(String consumer, Duration minIdle, int max) {
        Objects.requireNonNull(consumer, "consumer");
        return group.run(shared.awaitAndRun(c -> c.reactive().xautoclaim(key, new XAutoClaimArgs<String>()
                        .consumer(Consumer.from(GROUP, consumer))
                        .minIdleTime(minIdle)
                        .count(max)
                        .startId(reclaimCursors.getOrDefault(consumer, START)))))
                .flatMap(claimed -> {
                    reclaimCursors.put(consumer, claimed.getId() == null ? START : claimed.getId());
                    return decode(claimed.getMessages());
                });
    }

    @Override
    public Mono<Void> ack(List<String> ids) {
        if (ids.isEmpty()) {
            return Mono.empty();
        }
        return group.run(shared.awaitAndRun(c -> c.reactive().xack(key, GROUP, ids.toArray(String[]::new)))).then();
    }

    /** Entries that are not deltas are acknowledged (so they go away) and skipped. */
    private Mono<List<Entry>> decode(List<StreamMessage<String, String>> messages) {
        List<Entry> entries = new ArrayList<>(messages.size());
        List<String> bad = new ArrayList<>();
        for (StreamMessage<String, String> message : messages) {
            // XAUTOCLAIM answers entries trimmed meanwhile with no body.
            UsageDelta delta = message.getBody() == null ? null : UsageDeltaFields.decode(message.getBody());
            if (delta == null) {
                bad.add(message.getId());
            }
            else {
                entries.add(new Entry(message.getId(), delta));
            }
        }
        if (bad.isEmpty()) {
            return Mono.just(entries);
        }
        log.warn("Skipping {} entries of {} that are not usage deltas: {}", bad.size(), key, bad);
        return ack(bad).thenReturn(entries);
    }




    @Override
    public void close() {
        shared.close();
        blocking.close();
    }
}
