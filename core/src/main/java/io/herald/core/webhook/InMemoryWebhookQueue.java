package io.herald.core.webhook;

import io.herald.core.app.AppStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A {@link WebhookQueue} in this process's memory: right for the standalone server, where
 * the edges that produce events and the dispatcher that sends them share one JVM. Nothing
 * survives a restart.
 *
 * <p>Bound: at most {@code capacity} events, unread and pending together. Overflow policy
 * <b>drop-oldest</b>: queueing into a full queue first drops the oldest unread event, or, when
 * every event is pending, the oldest pending one (as Redis trims a stream), and counts it in
 * {@link #dropped()}. Producers are never refused or slowed.
 *
 * <p>Thread-safe; every operation holds one short lock and never waits inside it.
 */
public final class InMemoryWebhookQueue implements WebhookQueue, WebhookQueueConsumer {

    private static final Logger log = LoggerFactory.getLogger(InMemoryWebhookQueue.class);

    /** Default bound: enough for minutes of a busy app's events while an endpoint is down, a few MB at most. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final WebhookEventFilter filter;
    private final int capacity;
    private final Clock clock;

    private final ArrayDeque<QueuedWebhookEvent> unread = new ArrayDeque<>();
    /** Pending events by id, in the order they were first read. */
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private long sequence;
    /** Completed (and replaced) when an event arrives, to wake a waiting {@link #read}. */
    private Sinks.Empty<Void> arrival = Sinks.empty();

    public InMemoryWebhookQueue(AppStore apps) {
        this(new WebhookEventFilter(apps), DEFAULT_CAPACITY, Clock.systemUTC());
    }

    public InMemoryWebhookQueue(WebhookEventFilter filter, int capacity, Clock clock) {
        this.filter = Objects.requireNonNull(filter, "filter");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    @Override
    public Mono<Void> enqueue(WebhookEvent event) {
        Objects.requireNonNull(event, "event");
        return filter.wanted(event).doOnNext(wanted -> {
            if (wanted) {
                offer(event);
            }
        }).then();
    }

    private void offer(WebhookEvent event) {
        Sinks.Empty<Void> wake;
        synchronized (this) {
            if (unread.size() + pending.size() >= capacity) {
                dropOldest();
            }
            unread.addLast(new QueuedWebhookEvent(Long.toString(++sequence), event));
            wake = arrival;
            arrival = Sinks.empty();
        }
        wake.tryEmitEmpty();
    }

    private void dropOldest() {
        if (unread.pollFirst() == null) {
            Iterator<String> oldest = pending.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        long total = dropped.incrementAndGet();
        if (total == 1 || total % 1000 == 0) {
            log.warn("In-memory webhook queue full ({} events): dropped the oldest; {} dropped so far", capacity,
                    total);
        }
    }

    @Override
    public Mono<List<QueuedWebhookEvent>> read(String consumer, int max, Duration wait) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(wait, "wait");
        return Mono.defer(() -> {
            Mono<Void> arrived;
            synchronized (this) {
                List<QueuedWebhookEvent> taken = take(consumer, max);
                if (!taken.isEmpty() || wait.isZero() || wait.isNegative()) {
                    return Mono.just(taken);
                }
                arrived = arrival.asMono();
            }
            return arrived.timeout(wait, Mono.empty()).then(Mono.fromSupplier(() -> {
                synchronized (this) {
                    return take(consumer, max);
                }
            }));
        });
    }

    private List<QueuedWebhookEvent> take(String consumer, int max) {
        List<QueuedWebhookEvent> taken = new ArrayList<>(Math.min(max, unread.size()));
        long now = clock.millis();
        while (taken.size() < max && !unread.isEmpty()) {
            QueuedWebhookEvent next = unread.pollFirst();
            pending.put(next.id(), new Pending(next, consumer, now));
            taken.add(next);
        }
        return taken;
    }

    @Override
    public Mono<List<QueuedWebhookEvent>> reclaim(String consumer, Duration minIdle, int max) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(minIdle, "minIdle");
        return Mono.fromSupplier(() -> {
            long now = clock.millis();
            List<QueuedWebhookEvent> claimed = new ArrayList<>();
            synchronized (this) {
                for (Map.Entry<String, Pending> entry : pending.entrySet()) {
                    if (claimed.size() >= max) {
                        break;
                    }
                    Pending p = entry.getValue();
                    if (now - p.touchedAt >= minIdle.toMillis()) {
                        p.owner = consumer;
                        p.touchedAt = now;
                        claimed.add(p.event);
                    }
                }
            }
            return claimed;
        });
    }

    /** Keeps no list of consumers (an owner exists only on its pending events): nothing to forget. */
    @Override
    public Mono<Integer> forgetIdleConsumers(String self, Duration minIdle) {
        return Mono.just(0);
    }

    @Override
    public Mono<Void> touch(String consumer, List<String> ids) {
        Objects.requireNonNull(consumer, "consumer");
        return Mono.fromRunnable(() -> {
            long now = clock.millis();
            synchronized (this) {
                for (String id : ids) {
                    Pending p = pending.get(id);
                    if (p != null) {
                        p.owner = consumer;
                        p.touchedAt = now;
                    }
                }
            }
        });
    }

    @Override
    public Mono<Void> ack(List<String> ids) {
        return Mono.fromRunnable(() -> {
            synchronized (this) {
                ids.forEach(pending::remove);
            }
        });
    }

    /** How many events were dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Unread and pending events together. */
    public synchronized int size() {
        return unread.size() + pending.size();
    }

    private static final class Pending {

        final QueuedWebhookEvent event;
        String owner;
        long touchedAt;

        Pending(QueuedWebhookEvent event, String owner, long touchedAt) {
            this.event = event;
            this.owner = owner;
            this.touchedAt = touchedAt;
        }
    }
}
