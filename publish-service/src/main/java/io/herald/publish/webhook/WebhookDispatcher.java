package io.herald.publish.webhook;

import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugEvent;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import io.herald.core.app.Webhook;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.webhook.WebhookFailureLog;
import io.herald.core.webhook.WebhookFailureLog.WebhookFailure;
import io.herald.core.webhook.WebhookQueueConsumer;
import io.herald.core.webhook.WebhookQueueConsumer.QueuedWebhookEvent;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;

/**
 * Sends queued webhook events to apps' endpoints: the webhook role of publish-service. Any
 * number of dispatchers may share one queue (each is a named consumer of it).
 *
 * <p>What it does with an event: looks its app up (an unknown or disabled app, or one none of
 * whose webhooks wants the type, means the event is acknowledged and dropped), then adds it to
 * the open batch of every endpoint of the app that wants it. A batch is sent when it has
 * {@code batch-max-events} events or {@code batch-window} after its first event. A failed attempt
 * (non-2XX, no answer within {@code request-timeout}, connection failure, open circuit) is recorded
 * in the {@link WebhookFailureLog} and retried after {@code initial-backoff}, doubling up to
 * {@code max-backoff}, until {@code retry-period} after the batch was formed; then the batch is
 * given up (recorded as such). Every batch keeps its own schedule: no batch waits for another.
 *
 * <p>After an outage: a new batch for an endpoint whose circuit is open is not sent (and not
 * counted as an attempt) but waits with the endpoint, so that the backoff of old batches never
 * holds it back. Every {@link #RECOVERY_CHECK} the newest waiting batch of each such endpoint is
 * offered to the circuit, which lets it through as its probe once its open wait has passed (see
 * {@link WebhookSender}); when the circuit has closed (by that probe or by a retry of an old batch),
 * every waiting batch is sent at once. Old batches go on retrying on their own backoff meanwhile. A
 * waiting batch whose retry period ends is given up.
 *
 * <p>At least once: an event is acknowledged in the queue only when every endpoint it went to
 * has answered 2XX or given it up. This dispatcher refreshes its claim on the events it holds
 * every third of {@code claim-idle}; events of a dispatcher that died (and so stopped refreshing)
 * are taken over by another after {@code claim-idle}. An event may thus be sent twice (a
 * dispatcher that dies after a 2XX but before its acknowledgement), never silently lost while
 * it is in the queue.
 *
 * <p>Bounds (overflow behaviour in brackets): at most {@code max-in-flight-events} events held
 * (stop reading; they wait in the queue); at most {@code max-events-per-endpoint} per endpoint
 * (release: left unacknowledged and unrefreshed in the queue, so taken up again after
 * {@code claim-idle}). No thread is ever blocked: timers run on Reactor's parallel scheduler,
 * requests on the sender's own event loops.
 */
public class WebhookDispatcher implements SmartLifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** How long a read waits in the queue for new events before the loop goes round again. */
    static final Duration POLL_WAIT = Duration.ofSeconds(1);
    /** Pause of the read loop while {@code max-in-flight-events} are held. */
    static final Duration FULL_PAUSE = Duration.ofMillis(100);
    /** Pause of the read loop after the queue failed (state Redis unreachable). */
    static final Duration ERROR_PAUSE = Duration.ofSeconds(1);
    /**
     * How often endpoints with batches waiting for their circuit are looked at: such a batch is sent
     * at most this long after the circuit would let a probe through, or has closed. Looking costs
     * no request (an open circuit refuses at once) and only endpoints with waiting batches are looked at.
     */
    static final Duration RECOVERY_CHECK = Duration.ofMillis(100);
    /** Events refreshed per command. */
    private static final int TOUCH_CHUNK = 500;
    /**
     * Consumers that have not read for this long and own nothing are forgotten (dead dispatchers,
     * one per past process). A live dispatcher reads or refreshes at least every few seconds.
     */
    static final Duration FORGET_CONSUMERS_IDLE = Duration.ofHours(1);
    /** How often the read loop forgets idle consumers. */
    static final Duration FORGET_CONSUMERS_EVERY = Duration.ofMinutes(10);

    private final UsageSink usage;
    private final DebugConsole debug;
    private final WebhookQueueConsumer queue;
    private final AppStore apps;
    private final WebhookSender sender;
    private final WebhookFailureLog failures;
    private final MeterRegistry meters;
    private final Clock clock;
    private final WebhookDispatcherProperties properties;
    private final String name;

    private final ConcurrentHashMap<String, TrackedEvent> tracked = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EndpointBatcher.Key, EndpointBatcher> endpoints = new ConcurrentHashMap<>();
    private final Set<Disposable> attempts = ConcurrentHashMap.newKeySet();
    /** Endpoints with batches waiting for their circuit; changed only inside {@link #endpoints}' atomic sections. */
    private final Set<EndpointBatcher.Key> recovering = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    /** Reads failed in a row; the first is logged at WARN, the recovery at INFO. */
    private final AtomicLong failedReads = new AtomicLong();
    private volatile long lastReclaimNanos;
    private volatile long lastForgetNanos;
    private Disposable loop;
    private Disposable toucher;
    private Disposable recoverer;

    public WebhookDispatcher(WebhookQueueConsumer queue, AppStore apps, WebhookSender sender,
            WebhookFailureLog failures, MeterRegistry meters, Clock clock, WebhookDispatcherProperties properties) {
        this(queue, apps, sender, failures, meters, clock, properties, UsageSink.NONE);
    }

    /** @param usage where webhook calls the endpoint accepted are counted per app, one per batch */
    public WebhookDispatcher(WebhookQueueConsumer queue, AppStore apps, WebhookSender sender,
            WebhookFailureLog failures, MeterRegistry meters, Clock clock, WebhookDispatcherProperties properties,
            UsageSink usage) {
        this(queue, apps, sender, failures, meters, clock, properties, usage, DebugConsole.NONE);
    }

    /** @param debug where each attempt to call an endpoint is shown while somebody watches its app */
    public WebhookDispatcher(WebhookQueueConsumer queue, AppStore apps, WebhookSender sender,
            WebhookFailureLog failures, MeterRegistry meters, Clock clock, WebhookDispatcherProperties properties,
            UsageSink usage, DebugConsole debug) {
        this.debug = Objects.requireNonNull(debug, "debug");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.apps = Objects.requireNonNull(apps, "apps");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.failures = Objects.requireNonNull(failures, "failures");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.properties = Objects.requireNonNull(properties, "properties");
        this.name = properties.consumerName().isEmpty() ? defaultName() : properties.consumerName();
    }

    private static String defaultName() {
        String host = System.getenv("HOSTNAME");
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        return (host == null || host.isBlank() ? "webhook-dispatcher" : host) + "-" + suffix;
    }

    /** This dispatcher's consumer name in the queue. */
    public String name() {
        return name;
    }

    /** Events held now (being batched, sent or retried). */
    public int inFlight() {
        return tracked.size();
    }

    /** Batches held now that wait, unsent, for their endpoint's circuit to let them through (diagnostics). */
    public int waitingForRecovery() {
        int[] count = new int[1];
        for (EndpointBatcher.Key key : recovering) {
            endpoints.computeIfPresent(key, (k, batcher) -> {
                count[0] += batcher.waitingCount();
                return batcher;
            });
        }
        return count[0];
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        lastReclaimNanos = System.nanoTime() - reclaimInterval().toNanos();
        lastForgetNanos = System.nanoTime() - FORGET_CONSUMERS_EVERY.toNanos();
        loop = Mono.defer(this::cycle).repeat(() -> running)
                .subscribe(null, ex -> log.error("The webhook dispatcher's read loop stopped", ex));
        Duration touchEvery = properties.claimIdle().dividedBy(3);
        toucher = Flux.interval(touchEvery, touchEvery)
                .onBackpressureDrop()
                .concatMap(tick -> touchAll())
                .subscribe();
        recoverer = Flux.interval(RECOVERY_CHECK, RECOVERY_CHECK)
                .onBackpressureDrop()
                .subscribe(tick -> {
                    try {
                        checkRecovering();
                    }
                    catch (RuntimeException ex) {
                        // One bad round must not stop the checks: waiting batches would wait forever.
                        log.warn("A webhook recovery check failed; checking again in {} ms", RECOVERY_CHECK.toMillis(),
                                ex);
                    }
                });
        log.info("Webhook dispatcher {} started", name);
    }

    /**
     * Stops at once: no more reads, requests in flight are abandoned. Events held stay
     * unacknowledged in the queue; another dispatcher (or this process, restarted) takes them over
     * after {@code claim-idle}.
     */
    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        loop.dispose();
        toucher.dispose();
        recoverer.dispose();
        attempts.forEach(Disposable::dispose);
        attempts.clear();
        tracked.clear();
        endpoints.clear();
        recovering.clear();
        log.info("Webhook dispatcher {} stopped", name);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void close() {
        stop();
    }

    // ---- reading

    private Duration reclaimInterval() {
        return properties.claimIdle().dividedBy(2);
    }

    private Mono<Void> cycle() {
        Mono<Void> reclaim = Mono.empty();
        if (System.nanoTime() - lastReclaimNanos >= reclaimInterval().toNanos()) {
            lastReclaimNanos = System.nanoTime();
            int room = room();
            if (room > 0) {
                reclaim = queue.reclaim(name, properties.claimIdle(), Math.min(room, properties.readBatchSize()))
                        .publishOn(Schedulers.parallel())
                        .flatMap(this::admit);
            }
        }
        return forgetIdleConsumers().then(reclaim).then(Mono.defer(() -> {
            int room = room();
            if (room <= 0) {
                return Mono.delay(FULL_PAUSE).then();
            }
            return queue.read(name, Math.min(room, properties.readBatchSize()), POLL_WAIT)
                    .publishOn(Schedulers.parallel())
                    .flatMap(this::admit);
        })).doOnSuccess(done -> readAgain()).onErrorResume(ex -> {
            // One line per outage (the state Redis down, say), not one per second of it.
            if (failedReads.getAndIncrement() == 0) {
                log.warn("Reading the webhook queue failed ({}); retrying every {} ms until it answers", ex.toString(),
                        ERROR_PAUSE.toMillis());
            }
            else {
                log.debug("Reading the webhook queue failed again ({})", ex.toString());
            }
            return Mono.delay(ERROR_PAUSE).then();
        });
    }

    private void readAgain() {
        long failed = failedReads.getAndSet(0);
        if (failed > 0) {
            log.info("Reading the webhook queue again, after {} failed attempt(s)", failed);
        }
    }

    /** Every {@link #FORGET_CONSUMERS_EVERY}: drops dead dispatchers from the queue's consumers. */
    private Mono<Void> forgetIdleConsumers() {
        if (System.nanoTime() - lastForgetNanos < FORGET_CONSUMERS_EVERY.toNanos()) {
            return Mono.empty();
        }
        lastForgetNanos = System.nanoTime();
        return queue.forgetIdleConsumers(name, FORGET_CONSUMERS_IDLE)
                .onErrorResume(ex -> {
                    log.debug("Could not forget idle webhook consumers ({}); trying again later", ex.toString());
                    return Mono.empty();
                })
                .then();
    }

    private int room() {
        return properties.maxInFlightEvents() - tracked.size();
    }

    private Mono<Void> admit(List<QueuedWebhookEvent> entries) {
        List<String> skipped = new ArrayList<>();
        return Flux.fromIterable(entries)
                .filter(entry -> !tracked.containsKey(entry.id()))
                .concatMap(entry -> apps.findById(entry.event().appId())
                        .map(Optional::of)
                        .defaultIfEmpty(Optional.empty())
                        .doOnNext(app -> route(entry, app.orElse(null), skipped))
                        .onErrorResume(ex -> {
                            // Left unacknowledged and untouched: taken up again after claim-idle.
                            log.warn("Cannot look app {} up for a webhook event ({}); will retry later",
                                    entry.event().appId(), ex.toString());
                            return Mono.empty();
                        }))
                .then(Mono.fromRunnable(() -> ack(skipped)));
    }

    private void route(QueuedWebhookEvent entry, App app, List<String> skipped) {
        List<Webhook> wanting = app == null || !app.enabled() ? List.of()
                : app.webhooks().stream().filter(webhook -> webhook.wants(entry.event().type())).toList();
        if (wanting.isEmpty()) {
            skipped.add(entry.id());
            return;
        }
        TrackedEvent event = new TrackedEvent(entry, wanting.size());
        tracked.put(entry.id(), event);
        for (Webhook webhook : wanting) {
            offer(new EndpointBatcher.Key(app.id(), webhook.url()), event, app);
        }
    }

    // ---- batching

    private static final class Offer {
        boolean rejected;
        List<TrackedEvent> batch;
        App app;
        EndpointBatcher timerFor;
    }

    private void offer(EndpointBatcher.Key key, TrackedEvent event, App app) {
        Offer offer = new Offer();
        endpoints.compute(key, (k, batcher) -> {
            EndpointBatcher b = batcher != null ? batcher
                    : new EndpointBatcher(k, properties.batchMaxEvents(), properties.maxEventsPerEndpoint());
            if (!b.hasRoom()) {
                offer.rejected = true;
                return b;
            }
            offer.batch = b.add(event, app);
            offer.app = b.app();
            if (offer.batch == null && b.needsTimer()) {
                offer.timerFor = b;
            }
            return b;
        });
        if (offer.rejected) {
            log.debug("Endpoint {} of app {} holds {} events already; event {} stays queued", redacted(key.url()),
                    key.appId(), properties.maxEventsPerEndpoint(), event.id());
            event.release();
            if (event.endpointDone()) {
                tracked.remove(event.id());
            }
        }
        else if (offer.batch != null) {
            send(key, offer.app, offer.batch);
        }
        else if (offer.timerFor != null) {
            EndpointBatcher batcher = offer.timerFor;
            Schedulers.parallel().schedule(() -> flush(key, batcher), properties.batchWindow().toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private void flush(EndpointBatcher.Key key, EndpointBatcher batcher) {
        if (!running) {
            return;
        }
        Offer offer = new Offer();
        endpoints.computeIfPresent(key, (k, current) -> {
            if (current == batcher) {
                offer.batch = current.takeOpen();
                offer.app = current.app();
            }
            return current;
        });
        if (offer.batch != null && !offer.batch.isEmpty()) {
            send(key, offer.app, offer.batch);
        }
    }

    // ---- sending

    private void send(EndpointBatcher.Key key, App app, List<TrackedEvent> events) {
        List<WebhookEvent> payload = events.stream().map(event -> event.queued().event()).toList();
        long now = clock.millis();
        WebhookBatch batch = new WebhookBatch(key, app, events, WebhookBody.encode(now, payload),
                now + properties.retryPeriod().toMillis());
        attempt(batch, 1, Duration.ZERO, false);
    }

    /**
     * Attempt {@code attempt} of the batch after {@code delay}. Attempt 1 is the batch's first
     * request; while the circuit refuses it, it waits with its endpoint and is tried again (still
     * as attempt 1) by the recovery check, as that endpoint's probe ({@code probe}).
     */
    private void attempt(WebhookBatch batch, int attempt, Duration delay, boolean probe) {
        if (!running) {
            return;
        }
        Mono.delay(delay)
                .then(Mono.defer(() -> sender.sendForStatus(batch.key().url(), batch.app().key(), batch.app().secret(),
                        batch.body())))
                .subscribe(new BaseSubscriber<Integer>() {
                    private int status;
                    @Override
                    protected void hookOnSubscribe(Subscription subscription) {
                        attempts.add(this);
                        requestUnbounded();
                    }

                    @Override
                    protected void hookOnNext(Integer answered) {
                        status = answered;
                    }

                    @Override
                    protected void hookOnComplete() {
                        attempted(batch, status, "delivered");
                        delivered(batch);
                    }

                    @Override
                    protected void hookOnError(Throwable ex) {
                        failed(batch, attempt, ex);
                    }

                    @Override
                    protected void hookFinally(SignalType type) {
                        attempts.remove(this);
                        if (probe) {
                            endpoints.computeIfPresent(batch.key(), (k, batcher) -> {
                                batcher.probeDone();
                                return batcher;
                            });
                        }
                    }
                });
    }

    /** Shows an attempt in the app's debug console, if somebody watches it. */
    private void attempted(WebhookBatch batch, int status, String outcome) {
        if (debug.watched(batch.key().appId())) {
            debug.emit(DebugEvent.webhookAttempt(batch.key().appId(), clock.instant(), batch.key().url(), status,
                    outcome));
        }
    }

    private void delivered(WebhookBatch batch) {
        counter(HeraldMeters.WEBHOOKS_DELIVERED, batch.key().appId(), "webhook events delivered")
                .increment(batch.events().size());
        usage.record(batch.key().appId(), UsageQuantity.WEBHOOK_DELIVERIES, 1);
        finish(batch);
    }

    private void failed(WebhookBatch batch, int attempt, Throwable ex) {
        WebhookDeliveryException failure = ex instanceof WebhookDeliveryException delivery ? delivery
                : new WebhookDeliveryException(0, "request failed: " + ex);
        if (attempt == 1 && failure.wasRefused() && awaitRecovery(batch)) {
            attempted(batch, failure.status(), "waiting");
            return;
        }
        Duration backoff = backoff(attempt);
        long now = clock.millis();
        boolean giveUp = now + backoff.toMillis() > batch.deadline();
        failures.record(new WebhookFailure(batch.key().appId(), batch.key().url(), clock.instant(), attempt,
                failure.status(), failure.getMessage(), batch.events().size(), giveUp))
                .subscribe(null, recordError -> log.debug("Could not record a webhook failure", recordError));
        attempted(batch, failure.status(), giveUp ? "given_up" : "retrying");
        if (giveUp) {
            log.warn("Gave up a batch of {} webhook events of app {} to {} after {} attempts; last: {}",
                    batch.events().size(), batch.key().appId(), redacted(batch.key().url()), attempt,
                    failure.getMessage());
            counter(HeraldMeters.WEBHOOKS_FAILED, batch.key().appId(), "webhook events given up")
                    .increment(batch.events().size());
            finish(batch);
        }
        else {
            log.debug("Webhook attempt {} to {} failed ({}); retrying in {} ms", attempt,
                    redacted(batch.key().url()), failure.getMessage(), backoff.toMillis());
            attempt(batch, attempt + 1, backoff, false);
        }
    }

    // ---- recovery

    /**
     * The circuit refused the batch's first attempt: it waits with its endpoint rather than backing
     * off, so that it goes as soon as the endpoint is back. False when the endpoint is gone (stopped).
     */
    private boolean awaitRecovery(WebhookBatch batch) {
        boolean[] waiting = new boolean[1];
        endpoints.computeIfPresent(batch.key(), (key, batcher) -> {
            batcher.await(batch);
            recovering.add(key);
            waiting[0] = true;
            return batcher;
        });
        return waiting[0] || !running;
    }

    private static final class Recovery {
        List<WebhookBatch> expired = List.of();
        List<WebhookBatch> release = List.of();
        WebhookBatch probe;
    }

    /**
     * For each endpoint with waiting batches: gives up those past their deadline; sends them all
     * when its circuit has closed; else offers the newest to the circuit as its probe (refused at
     * once, without a request, until the circuit's open wait has passed).
     */
    private void checkRecovering() {
        if (!running) {
            return;
        }
        for (EndpointBatcher.Key key : recovering) {
            CircuitBreaker.State state = sender.circuitState(key.url());
            long now = clock.millis();
            Recovery recovery = new Recovery();
            EndpointBatcher present = endpoints.computeIfPresent(key, (k, batcher) -> {
                recovery.expired = batcher.takeExpired(now);
                if (state == CircuitBreaker.State.CLOSED) {
                    recovery.release = batcher.takeWaiting();
                }
                else if (state == CircuitBreaker.State.OPEN) {
                    recovery.probe = batcher.takeProbe();
                }
                // While HALF_OPEN a probe (this one or an old batch's retry) is out: its answer decides.
                if (!batcher.hasWaiting() && recovery.probe == null) {
                    recovering.remove(k);
                }
                return batcher;
            });
            if (present == null) {
                recovering.remove(key);
            }
            recovery.expired.forEach(this::giveUpUnsent);
            recovery.release.forEach(batch -> attempt(batch, 1, Duration.ZERO, false));
            if (recovery.probe != null) {
                attempt(recovery.probe, 1, Duration.ZERO, true);
            }
        }
    }

    /** A batch that waited for its endpoint's circuit for the whole retry period, never sent. */
    private void giveUpUnsent(WebhookBatch batch) {
        failures.record(new WebhookFailure(batch.key().appId(), batch.key().url(), clock.instant(), 0, 0,
                WebhookDeliveryException.refused().getMessage() + "; never sent", batch.events().size(), true))
                .subscribe(null, recordError -> log.debug("Could not record a webhook failure", recordError));
        log.warn("Gave up a batch of {} webhook events of app {} to {}: its circuit stayed open for the retry period",
                batch.events().size(), batch.key().appId(), redacted(batch.key().url()));
        counter(HeraldMeters.WEBHOOKS_FAILED, batch.key().appId(), "webhook events given up")
                .increment(batch.events().size());
        finish(batch);
    }

    /** The wait after failed attempt {@code attempt}: initial-backoff doubled per further attempt, capped. */
    Duration backoff(int attempt) {
        Duration backoff = properties.initialBackoff();
        for (int i = 1; i < attempt && backoff.compareTo(properties.maxBackoff()) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(properties.maxBackoff()) > 0 ? properties.maxBackoff() : backoff;
    }

    /** The batch is done (delivered or given up): acknowledge every event that has no endpoint left. */
    private void finish(WebhookBatch batch) {
        endpoints.computeIfPresent(batch.key(), (k, batcher) -> {
            batcher.release(batch.events().size());
            return batcher.idle() ? null : batcher;
        });
        List<String> done = new ArrayList<>();
        for (TrackedEvent event : batch.events()) {
            if (event.endpointDone()) {
                tracked.remove(event.id());
                if (!event.released()) {
                    done.add(event.id());
                }
            }
        }
        ack(done);
    }

    private void ack(List<String> ids) {
        if (ids.isEmpty() || !running) {
            return;
        }
        queue.ack(ids).subscribe(null, ex -> log.warn(
                "Could not acknowledge {} webhook events ({}); they will be delivered again", ids.size(), ex.toString()));
    }

    private Mono<Void> touchAll() {
        List<String> ids = tracked.values().stream().filter(event -> !event.released()).map(TrackedEvent::id)
                .toList();
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += TOUCH_CHUNK) {
            chunks.add(ids.subList(i, Math.min(ids.size(), i + TOUCH_CHUNK)));
        }
        return Flux.fromIterable(chunks)
                .concatMap(chunk -> queue.touch(name, chunk))
                .onErrorResume(ex -> {
                    log.warn("Could not refresh the claim on {} webhook events ({})", ids.size(), ex.toString());
                    return Mono.empty();
                })
                .then();
    }

    private Counter counter(HeraldMeters meter, String appId, String description) {
        return Counter.builder(meter.meterName())
                .tag(HeraldMeters.APP_ID, appId)
                .description(description)
                .register(meters);
    }

    /** A URL fit for logs: no user info, query or fragment (they may carry tokens). */
    static String redacted(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "")
                + (url.getPath() == null ? "" : url.getPath());
    }
}
