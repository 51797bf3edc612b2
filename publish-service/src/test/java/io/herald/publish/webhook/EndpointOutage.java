package io.herald.publish.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.testing.TestClock;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.app.WebhookEventType;
import io.herald.core.webhook.WebhookFailureLog.WebhookFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * A tenant's endpoint goes down for a while and comes back, as the tenant lives it: the scenario
 * of issue 7, run by {@link WebhookDispatcherTest} (in-memory queue) and
 * {@link RedisWebhookDispatcherTest} (Redis Stream). The dispatcher and its sender run on the
 * hand-moved {@link TestClock}, which is what the circuit measures its open wait on; backoffs of
 * batches are real time (short).
 */
final class EndpointOutage {

    /** What the tenant is promised: a new event arrives within this of its trigger once the endpoint is back. */
    static final Duration FRESH_EVENT_BOUND = Duration.ofSeconds(2);
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final int OLD_EVENTS = 6;

    private EndpointOutage() {
    }

    /**
     * One event per batch (so every old event is a batch retrying on its own backoff), backoff
     * from 3 s to 6 s (longer than the bound: a new event that backed off like a retry, or waited
     * for one, would miss it), the default circuit breaker, and a retry period that the test's
     * clock moves never exhaust.
     */
    static WebhookDispatcherProperties properties(String consumerName, Duration claimIdle) {
        return new WebhookDispatcherProperties(true, 1, Duration.ofMillis(50), Duration.ofSeconds(4),
                Duration.ofMinutes(1), Duration.ofSeconds(3), Duration.ofSeconds(6), claimIdle, 10_000, 2000, 100,
                consumerName, WebhookDispatcherProperties.CircuitBreaker.DEFAULTS);
    }

    /**
     * Runs the scenario against a started dispatcher whose app {@code appId} has its only endpoint
     * at {@code path} of {@code receiver}; {@code enqueue} queues an event, {@code failures} reads
     * the app's failure log. Returns when every event has arrived; the caller checks its queue.
     */
    static void run(TestReceiver receiver, String path, String appId, TestClock clock, WebhookDispatcher dispatcher,
            WebhookSender sender, Consumer<WebhookEvent> enqueue, Supplier<List<WebhookFailure>> failures) {
        List<String> old = IntStream.range(0, OLD_EVENTS).mapToObj(i -> "old-" + i).toList();

        // Down: every old batch fails, the circuit opens, retries are refused without a request.
        receiver.answer(path, 503);
        old.forEach(channel -> enqueue.accept(WebhookEvent.channel(appId, WebhookEventType.CHANNEL_OCCUPIED,
                channel, 1)));
        await().atMost(TIMEOUT).until(() -> sender.circuitState(receiver.url(path)) == CircuitBreaker.State.OPEN);

        // ... for a while: the circuit's first wait passes, and the old batches go on failing (the
        // first retry to come is the probe, and fails too).
        int recorded = failures.get().size();
        clock.advance(WebhookDispatcherProperties.CircuitBreaker.DEFAULTS.waitInOpen().plusMillis(1));
        await().atMost(TIMEOUT).until(() -> failures.get().size() > recorded);
        assertThat(deliveredChannels(receiver, path)).isEmpty();

        // The tenant fixes its endpoint, and a channel becomes occupied: the circuit, still open,
        // refuses the new batch's first attempt.
        receiver.answer(path, 200);
        enqueue.accept(WebhookEvent.channel(appId, WebhookEventType.CHANNEL_OCCUPIED, "fresh", 2));
        // Once it was refused, the circuit's longest wait passes: from then on nothing but the
        // dispatcher's own schedule can hold the new event back (the old batches' backoffs are 3 to
        // 6 s of real time). The bound counts from the trigger.
        AtomicBoolean waitPassed = new AtomicBoolean();
        await().atMost(FRESH_EVENT_BOUND).pollInterval(Duration.ofMillis(10)).until(() -> {
            if (!waitPassed.get() && refused(dispatcher, failures)) {
                clock.advance(WebhookDispatcherProperties.CircuitBreaker.DEFAULTS.maxWaitInOpen().plusMillis(1));
                waitPassed.set(true);
            }
            return deliveredChannels(receiver, path).contains("fresh");
        });
        assertThat(dispatcher.waitingForRecovery()).isZero();

        // Every old batch still arrives, none given up: within the retry period.
        await().atMost(TIMEOUT).until(() -> deliveredChannels(receiver, path).containsAll(old));
        assertThat(failures.get()).noneMatch(WebhookFailure::gaveUp);
        assertThat(deliveredChannels(receiver, path)).containsOnlyOnce("fresh");
    }

    /**
     * Whether the new batch's first attempt was refused by the open circuit: it waits for the
     * endpoint (or, were it backed off like a retry, the refusal of an attempt 1 is in the failure
     * log; every old batch's attempt 1 was a real request).
     */
    private static boolean refused(WebhookDispatcher dispatcher, Supplier<List<WebhookFailure>> failures) {
        return dispatcher.waitingForRecovery() == 1
                || failures.get().stream().anyMatch(f -> f.attempt() == 1 && f.status() == 0);
    }

    /** The channels of the events the endpoint accepted, once per delivery. */
    static List<String> deliveredChannels(TestReceiver receiver, String path) {
        List<String> channels = new ArrayList<>();
        receiver.requests(path).stream().filter(TestReceiver.Request::accepted).forEach(r -> PusherCodec.json()
                .readTree(r.body()).get("events").forEach(e -> channels.add(e.get("channel").asString())));
        return channels;
    }
}
