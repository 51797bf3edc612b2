package io.herald.core.webhook.redis;

import io.herald.core.webhook.WebhookEvent;
import io.herald.core.webhook.WebhookEventFilter;
import io.herald.core.webhook.WebhookQueue;
import io.herald.core.webhook.WebhookQueueConsumer;
import io.herald.core.redis.StreamGroup;
import io.lettuce.core.Consumer;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A {@link WebhookQueue} on the state Redis: <b>one Redis Stream for all apps</b>,
 * {@code {prefix}webhooks}, read by the consumer group {@value #GROUP} (every dispatcher is a
 * consumer of it, named uniquely per process).
 *
 * <p>One stream rather than one per app: a dispatcher then needs one blocking read, not one per
 * app, and apps cannot hold each other up inside Redis (each entry is acknowledged on its own,
 * so an app whose endpoint is down leaves only its own entries pending). Dispatchers group
 * events per app and endpoint themselves.
 *
 * <p>Bound: every {@code XADD} trims the stream to about {@code maxLength} entries
 * ({@code MAXLEN ~}), oldest first, whether they were acknowledged or not. Acknowledged entries
 * stay in the stream until trimmed, so the bound is a memory bound (about {@code maxLength}
 * times the size of one event). An entry trimmed while still pending is lost only if its
 * dispatcher also dies (a live dispatcher holds the event in memory); when the length is sized for
 * minutes of traffic, this takes an outage longer than the retry period. The consumer group is
 * created on first read, from the start of the stream, so events queued before any dispatcher
 * ran are delivered; if Redis loses the group (restarted without persistence) it is created again.
 *
 * <p>State Redis unreachable: {@link #enqueue} keeps the event in this node's
 * {@link WebhookOutageBuffer} (bounded, {@code herald.webhooks.buffer.*}) and succeeds; the buffer
 * writes it when Redis is back, in order. {@link #close} tries to write what is still buffered
 * for up to the buffer's flush timeout.
 */
public final class RedisWebhookQueue implements WebhookQueue, WebhookQueueConsumer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisWebhookQueue.class);

    /** The consumer group of the dispatchers. */
    public static final String GROUP = "dispatchers";

    /** Default bound on the stream length: about 100,000 events of some hundred bytes, tens of MB. */
    public static final long DEFAULT_MAX_LENGTH = 100_000;

    private static final String START_OF_CURSOR = "0-0";

    /**
     * KEYS[1] the stream, ARGV[1] the group, ARGV[2] min idle ms, ARGV[3] the caller's own name.
     * Atomic, so a consumer cannot read an event between the check and its removal (which would
     * drop that event's pending entry with it).
     */
    private static final String FORGET_IDLE_CONSUMERS = """
            local removed = 0
            for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
              local fields = {}
              for i = 1, #consumer, 2 do fields[consumer[i]] = consumer[i + 1] end
              if fields['pending'] == 0 and fields['idle'] >= tonumber(ARGV[2]) and fields['name'] ~= ARGV[3] then
                redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields['name'])
                removed = removed + 1
              end
            end
            return removed
            """;

    private final WebhookRedisClient redis;
    private final WebhookEventFilter filter;
    private final String key;
    private final long maxLength;
    private final StreamGroup group;
    /** Where each consumer's next {@link #reclaim} continues scanning the pending entries. */
    private final Map<String, String> reclaimCursors = new ConcurrentHashMap<>();
    private final WebhookOutageBuffer buffer;

    /** A queue with the default outage buffer, its meters in a registry of its own. */
    public RedisWebhookQueue(WebhookRedisClient redis, WebhookEventFilter filter, long maxLength) {
        this(redis, filter, maxLength, WebhookBufferProperties.DEFAULTS, new SimpleMeterRegistry());
    }

    /**
     * @param buffer the outage buffer's bound and timings
     * @param meters where the outage buffer's meters go
     */
    public RedisWebhookQueue(WebhookRedisClient redis, WebhookEventFilter filter, long maxLength,
            WebhookBufferProperties buffer, MeterRegistry meters) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.filter = Objects.requireNonNull(filter, "filter");
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive");
        }
        this.maxLength = maxLength;
        this.key = redis.keyPrefix() + "webhooks";
        this.group = new StreamGroup(() -> redis.run(commands -> commands.xgroupCreate(
                XReadArgs.StreamOffset.from(key, "0"), GROUP,
                XGroupCreateArgs.Builder.mkstream())));
        Objects.requireNonNull(buffer, "buffer");
        this.buffer = new WebhookOutageBuffer(this::write, buffer.capacity(), buffer.retryInterval(),
                buffer.flushTimeout(), meters);
    }

    /** The stream's key. */
    public String key() {
        return key;
    }

    /**
     * Queues the event, or, while the state Redis is unreachable, keeps it in this node's outage
     * buffer (see the class comment); completes once it is in either.
     */
    @Override
    public Mono<Void> enqueue(WebhookEvent event) {
        Objects.requireNonNull(event, "event");
        return filter.wanted(event)
                .filter(Boolean::booleanValue)
                .flatMap(wanted -> buffer.offer(event));
    }

    /** How many events wait in the outage buffer now. */
    public int buffered() {
        return buffer.size();
    }

    private Mono<Void> write(WebhookEvent event) {
        XAddArgs args = new XAddArgs().maxlen(maxLength).approximateTrimming();
        return redis.run(commands -> commands.xadd(key, args, WebhookEventFields.encode(event))).then();
    }

    /** Tries to write what the outage buffer holds, for up to its flush timeout; see {@link WebhookOutageBuffer#close}. */
    @Override
    public void close() {
        buffer.close();
    }

    @Override
    public Mono<List<QueuedWebhookEvent>> read(String consumer, int max, Duration wait) {
        Objects.requireNonNull(consumer, "consumer");
        Duration block = wait.compareTo(WebhookRedisClient.MAX_BLOCK) > 0 ? WebhookRedisClient.MAX_BLOCK : wait;
        XReadArgs args = XReadArgs.Builder.count(max);
        if (block.toMillis() > 0) {
            args.block(block);
        }
        return group.run(redis.runBlocking(commands -> commands
                        .xreadgroup(Consumer.from(GROUP, consumer), args, XReadArgs.StreamOffset.lastConsumed(key))
                        .collectList())
                .flatMap(this::decode));
    }

    @Override
    public Mono<List<QueuedWebhookEvent>> reclaim(String consumer, Duration minIdle, int max) {
        Objects.requireNonNull(consumer, "consumer");
        return group.run(redis.run(commands -> {
            String cursor = reclaimCursors.getOrDefault(consumer, START_OF_CURSOR);
            XAutoClaimArgs<String> args = new XAutoClaimArgs<String>()
                    .consumer(Consumer.from(GROUP, consumer))
                    .minIdleTime(minIdle)
                    .count(max)
                    .startId(cursor);
            return commands.xautoclaim(key, args);
        }).flatMap(claimed -> {
            reclaimCursors.put(consumer, claimed.getId() == null ? START_OF_CURSOR : claimed.getId());
            return decode(claimed.getMessages());
        }));
    }

    @Override
    public Mono<Void> touch(String consumer, List<String> ids) {
        Objects.requireNonNull(consumer, "consumer");
        if (ids.isEmpty()) {
            return Mono.empty();
        }
        // XCLAIM with min-idle 0 resets the entries' idle time; JUSTID leaves their delivery count alone.
        return group.run(redis.run(commands -> commands.xclaim(key, Consumer.from(GROUP, consumer), XClaimArgs.Builder.justid(),
                        ids.toArray(String[]::new)).then()));
    }

    @Override
    public Mono<Void> ack(List<String> ids) {
        if (ids.isEmpty()) {
            return Mono.empty();
        }
        return group.run(redis.run(commands -> commands.xack(key, GROUP, ids.toArray(String[]::new))))
                .then();
    }

    @Override
    public Mono<Integer> forgetIdleConsumers(String self, Duration minIdle) {
        Objects.requireNonNull(self, "self");
        return group.run(redis.run(commands -> commands.<Long>eval(FORGET_IDLE_CONSUMERS, ScriptOutputType.INTEGER,
                        new String[] { key }, GROUP, Long.toString(minIdle.toMillis()), self).next()))
                .map(Long::intValue)
                .doOnNext(removed -> {
                    if (removed > 0) {
                        log.info("Forgot {} webhook consumer(s) idle for over {} with nothing pending", removed, minIdle);
                    }
                });
    }

    /** Decodes entries; entries that are not webhook events are acknowledged (so they go away) and skipped. */
    private Mono<List<QueuedWebhookEvent>> decode(List<StreamMessage<String, String>> messages) {
        List<QueuedWebhookEvent> events = new ArrayList<>(messages.size());
        List<String> bad = new ArrayList<>();
        for (StreamMessage<String, String> message : messages) {
            WebhookEvent event = WebhookEventFields.decode(message.getBody());
            if (event == null) {
                bad.add(message.getId());
            }
            else {
                events.add(new QueuedWebhookEvent(message.getId(), event));
            }
        }
        if (bad.isEmpty()) {
            return Mono.just(events);
        }
        log.warn("Skipping {} entries of {} that are not webhook events: {}", bad.size(), key, bad);
        return ack(bad).thenReturn(events);
    }



}
