package io.herald.core.webhook.redis;

import io.herald.core.metrics.HeraldMeters;
import io.herald.core.redis.RedisUnavailableException;
import io.herald.core.webhook.WebhookEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Keeps webhook events that could not be written to the queue because the state Redis is
 * unreachable, on this node, and writes them when it is back: what makes webhooks raised during
 * a state Redis outage arrive (at least once) instead of being dropped.
 *
 * <p>{@link #offer} writes an event at once while nothing is buffered. When the write fails with
 * {@link RedisUnavailableException} the event is buffered, and so is every later event while the
 * buffer is not empty (so they reach the queue in the order they were raised on this node). One
 * drain writes the buffered events one by one, oldest first, retrying the oldest every
 * {@code retryInterval} while the state Redis is unreachable; an event leaves the buffer only once
 * its write succeeded, so the buffer itself writes each event once. A write that timed out may
 * have reached Redis and is written again: a possible duplicate, within at-least-once.
 *
 * <p>Bound: at most {@code capacity} events; beyond it new events are dropped and counted
 * ({@code herald.webhooks.buffer.dropped}; {@code herald.webhooks.buffer.size} is the gauge of
 * what is buffered). One WARN line when buffering starts, one when the buffer overflows in an
 * outage, one INFO with the counts once it is empty again. An event Redis refuses with an error
 * of its own (the server is up: an {@code OOM}, a bug) is dropped, counted and logged, so it
 * cannot hold up the events behind it.
 *
 * <p>{@link #close} tries to write what is buffered for up to {@code flushTimeout}; what is still
 * buffered then is lost, and logged with its count. Never blocks but in {@link #close}.
 */
public final class WebhookOutageBuffer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookOutageBuffer.class);

    /**
     * Default bound: 10,000 events; a few MB of occupancy and presence events, at worst about
     * 100 MB of client events (each carries its data, up to the 10 KB payload limit).
     */
    public static final int DEFAULT_CAPACITY = 10_000;

    /** How often the oldest buffered event is retried while the state Redis is unreachable. */
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofMillis(250);

    private final Function<WebhookEvent, Mono<Void>> write;
    private final int capacity;
    private final Duration retryInterval;
    private final Duration flushTimeout;
    private final Scheduler scheduler;
    private final Counter dropped;
    /** Guarded by {@code this}, as are the fields below. */
    private final ArrayDeque<WebhookEvent> events = new ArrayDeque<>();
    private boolean draining;
    private boolean closed;
    private long bufferedThisOutage;
    private long droppedThisOutage;
    private Disposable drain;

    /**
     * @param write writes one event to the queue; fails with {@link RedisUnavailableException}
     *        while the queue cannot be reached
     * @param capacity the most events kept; positive
     * @param retryInterval how often the oldest event is retried while the queue is unreachable
     * @param flushTimeout how long {@link #close} tries to write what is buffered
     */
    public WebhookOutageBuffer(Function<WebhookEvent, Mono<Void>> write, int capacity, Duration retryInterval,
            Duration flushTimeout, MeterRegistry meters) {
        this.write = Objects.requireNonNull(write, "write");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.retryInterval = Objects.requireNonNull(retryInterval, "retryInterval");
        this.flushTimeout = Objects.requireNonNull(flushTimeout, "flushTimeout");
        Objects.requireNonNull(meters, "meters");
        this.scheduler = Schedulers.parallel();
        this.dropped = Counter.builder(HeraldMeters.WEBHOOKS_BUFFER_DROPPED.meterName())
                .description("Webhook events dropped because the outage buffer was full (or Redis refused them)")
                .register(meters);
        Gauge.builder(HeraldMeters.WEBHOOKS_BUFFER_SIZE.meterName(), this, WebhookOutageBuffer::size)
                .description("Webhook events buffered on this node while the state Redis is unreachable")
                .register(meters);
    }

    /**
     * Writes {@code event}, or buffers it (see the class comment). Completes once it was written
     * or buffered, or dropped because the buffer is full (counted); fails only with errors other
     * than the queue being unreachable.
     */
    public Mono<Void> offer(WebhookEvent event) {
        Objects.requireNonNull(event, "event");
        return Mono.defer(() -> {
            synchronized (this) {
                if (!events.isEmpty()) {
                    add(event);
                    return Mono.empty();
                }
            }
            return write.apply(event).onErrorResume(RedisUnavailableException.class, ex -> {
                bufferAfterFailure(event, ex);
                return Mono.empty();
            });
        });
    }

    /** How many events are buffered now. */
    public synchronized int size() {
        return events.size();
    }

    private void bufferAfterFailure(WebhookEvent event, RedisUnavailableException ex) {
        boolean start;
        synchronized (this) {
            if (closed) {
                dropped.increment();
                log.debug("Webhook queue unreachable during shutdown; {} webhook event of app {} dropped",
                        event.type().wireName(), event.appId());
                return;
            }
            add(event);
            start = !draining && !events.isEmpty();
            if (start) {
                draining = true;
            }
        }
        if (start) {
            log.warn("Webhook queue unreachable ({}); buffering this node's webhook events (up to {}) until it is back",
                    ex.getMessage(), capacity);
            startDrain(retryInterval);
        }
    }

    /** Adds at the end, or drops and counts when full. Holding the lock. */
    private void add(WebhookEvent event) {
        if (events.size() >= capacity) {
            droppedThisOutage++;
            dropped.increment();
            if (droppedThisOutage == 1) {
                log.warn("Webhook outage buffer full ({} events): dropping new webhook events until the queue is back",
                        capacity);
            }
            return;
        }
        events.addLast(event);
        bufferedThisOutage++;
    }

    private void startDrain(Duration delay) {
        Mono<Boolean> writeOldest = Mono.defer(this::writeOldest)
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, retryInterval).scheduler(scheduler)
                        .filter(RedisUnavailableException.class::isInstance));
        Disposable started = Mono.delay(delay, scheduler)
                .thenMany(writeOldest.repeat())
                .takeWhile(Boolean::booleanValue)
                .subscribe(null, error -> log.error("The webhook outage buffer stopped draining", error));
        synchronized (this) {
            drain = started;
        }
    }

    /** Writes the oldest event and removes it; {@code false} (and draining ends) when none is left. */
    private Mono<Boolean> writeOldest() {
        WebhookEvent oldest;
        synchronized (this) {
            oldest = events.peekFirst();
            if (oldest == null) {
                draining = false;
                log.info("Webhook queue reachable again: {} buffered webhook event(s) written, {} dropped",
                        bufferedThisOutage, droppedThisOutage);
                bufferedThisOutage = 0;
                droppedThisOutage = 0;
                notifyAll();
                return Mono.just(false);
            }
        }
        return write.apply(oldest)
                .onErrorResume(ex -> !(ex instanceof RedisUnavailableException), ex -> {
                    // The server is up and refused it: retrying would hold up every event behind it.
                    log.warn("Dropping a buffered {} webhook event of app {}: {}", oldest.type().wireName(),
                            oldest.appId(), ex.toString());
                    dropped.increment();
                    return Mono.empty();
                })
                .then(Mono.fromCallable(() -> {
                    synchronized (this) {
                        if (events.peekFirst() == oldest) {
                            events.removeFirst();
                        }
                    }
                    return true;
                }));
    }

    /**
     * Tries to write what is buffered for up to the flush timeout, then stops; what is still
     * buffered is lost, and logged. Later offers are written at once or dropped. Blocks the
     * caller (a shutdown thread) for at most the flush timeout.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + flushTimeout.toNanos();
        int lost;
        Disposable running;
        synchronized (this) {
            closed = true;
            while (!events.isEmpty() && draining) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    wait(Math.max(1, left / 1_000_000), 0);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            lost = events.size();
            events.clear();
            running = drain;
        }
        if (running != null) {
            running.dispose();
        }
        if (lost > 0) {
            dropped.increment(lost);
            log.warn("Shutting down with the webhook queue unreachable: {} buffered webhook event(s) lost", lost);
        }
    }
}
