package io.herald.publish.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Validity;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.app.App;
import io.herald.core.app.StaticAppStore;
import io.herald.core.app.Webhook;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.testing.TestClock;
import io.herald.core.webhook.InMemoryWebhookFailureLog;
import io.herald.core.webhook.InMemoryWebhookQueue;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.webhook.WebhookEventFilter;
import io.herald.core.app.WebhookEventType;
import io.herald.core.webhook.WebhookFailureLog.WebhookFailure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dispatcher against a real HTTP receiver, with the in-memory queue and failure log: what
 * it sends, batching, retries, giving up, the circuit breaker, and per-endpoint bounds. Nothing
 * here asserts how long something took; waits are Awaitility conditions.
 */
class WebhookDispatcherTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private TestReceiver receiver;
    private App app1;
    private App app2;
    private App picky;
    private InMemoryWebhookQueue queue;
    private InMemoryWebhookFailureLog failures;
    private SimpleMeterRegistry meters;
    private final List<WebhookSender> senders = new ArrayList<>();
    private final List<WebhookDispatcher> dispatchers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        receiver = new TestReceiver();
        app1 = app("app-1", new Webhook(receiver.url("/app1"), Set.of()));
        app2 = app("app-2", new Webhook(receiver.url("/app2"), Set.of()));
        picky = app("picky", new Webhook(receiver.url("/all"), Set.of()),
                new Webhook(receiver.url("/picky"), Set.of(WebhookEventType.MEMBER_ADDED)));
        StaticAppStore apps = new StaticAppStore(List.of(app1, app2, picky));
        queue = new InMemoryWebhookQueue(new WebhookEventFilter(apps), 10_000, Clock.systemUTC());
        failures = new InMemoryWebhookFailureLog();
        meters = new SimpleMeterRegistry();
    }

    @AfterEach
    void tearDown() {
        dispatchers.forEach(WebhookDispatcher::stop);
        senders.forEach(WebhookSender::close);
        receiver.close();
    }

    static App app(String id, Webhook... webhooks) {
        return new App(id, id + "-key", id + "-secret", id, true, null, null, List.of(webhooks), null, null);
    }

    /** Short windows and backoffs, a long retry period and claim-idle, a lenient breaker. */
    static WebhookDispatcherProperties properties(int batchMax, Duration window, Duration retryPeriod,
            Duration requestTimeout, WebhookDispatcherProperties.CircuitBreaker breaker) {
        return new WebhookDispatcherProperties(true, batchMax, window, requestTimeout, retryPeriod,
                Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(30), 10_000, 2000, 100, "",
                breaker);
    }

    static final WebhookDispatcherProperties.CircuitBreaker LENIENT =
            new WebhookDispatcherProperties.CircuitBreaker(100, 100, 100, Duration.ofSeconds(1),
                    Duration.ofSeconds(1));

    /** Counts the webhook calls the dispatchers made that the endpoint accepted. */
    private final io.herald.core.usage.UsageCounter usage = new io.herald.core.usage.UsageCounter();

    private long webhookCallsCounted(String appId) {
        return usage.drain().getOrDefault(appId, io.herald.core.usage.UsageCounts.ZERO)
                .get(io.herald.core.usage.UsageQuantity.WEBHOOK_DELIVERIES);
    }

    private WebhookDispatcher start(WebhookDispatcherProperties properties) {
        return start(properties, Clock.systemUTC());
    }

    /** A started dispatcher whose sender ({@code senders}' last) and schedule run on {@code clock}. */
    private WebhookDispatcher start(WebhookDispatcherProperties properties, Clock clock) {
        WebhookSender sender = new WebhookSender(properties, clock);
        senders.add(sender);
        WebhookDispatcher dispatcher = new WebhookDispatcher(queue, new StaticAppStore(List.of(app1, app2, picky)),
                sender, failures, meters, clock, properties, usage);
        dispatchers.add(dispatcher);
        dispatcher.start();
        return dispatcher;
    }

    private void enqueue(WebhookEvent event) {
        queue.enqueue(event).block(TIMEOUT);
    }

    private static JsonNode json(String body) {
        return PusherCodec.json().readTree(body);
    }

    private static List<JsonNode> events(List<TestReceiver.Request> requests) {
        List<JsonNode> events = new ArrayList<>();
        requests.forEach(r -> json(r.body()).get("events").forEach(events::add));
        return events;
    }

    private List<WebhookFailure> failuresOf(String appId) {
        return failures.recent(appId, 100).collectList().block(TIMEOUT);
    }

    private double counter(HeraldMeters meter, String appId) {
        var counter = meters.find(meter.meterName()).tag(HeraldMeters.APP_ID, appId).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void everyEventTypeArrivesSignedAndInPushersShape() {
        start(properties(20, Duration.ofMillis(100), Duration.ofMinutes(5), Duration.ofSeconds(4), LENIENT));
        List<WebhookEvent> sent = List.of(
                WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "room", 1),
                WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_VACATED, "room", 2),
                WebhookEvent.member("app-1", WebhookEventType.MEMBER_ADDED, "presence-room", "u1", 3),
                WebhookEvent.member("app-1", WebhookEventType.MEMBER_REMOVED, "presence-room", "u1", 4),
                new WebhookEvent("app-1", WebhookEventType.CLIENT_EVENT, "presence-room", "u2", "client-typing",
                        "{\"text\":\"h\\u00e9llo\"}", "123.456", null, 5),
                new WebhookEvent("app-1", WebhookEventType.CLIENT_EVENT, "private-room", null, "client-x", "{}",
                        "7.8", null, 6),
                WebhookEvent.channel("app-1", WebhookEventType.CACHE_MISS, "cache-room", 7),
                new WebhookEvent("app-1", WebhookEventType.SUBSCRIPTION_COUNT, "room", null, null, null, null, 42L, 8));
        sent.forEach(this::enqueue);

        await().atMost(TIMEOUT).until(() -> events(receiver.requests("/app1")).size() == sent.size());

        Pusher pusher = new Pusher(app1.id(), app1.key(), app1.secret());
        Pusher wrongSecret = new Pusher(app1.id(), app1.key(), "not-the-secret");
        long before = System.currentTimeMillis();
        for (TestReceiver.Request request : receiver.requests("/app1")) {
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.header("X-Pusher-Key")).isEqualTo(app1.key());
            assertThat(request.header("X-Pusher-Signature")).matches("[0-9a-f]{64}");
            // pusher-http-java, as a receiver would check it
            assertThat(pusher.validateWebhookSignature(request.header("X-Pusher-Key"),
                    request.header("X-Pusher-Signature"), request.body())).isEqualTo(Validity.VALID);
            assertThat(wrongSecret.validateWebhookSignature(request.header("X-Pusher-Key"),
                    request.header("X-Pusher-Signature"), request.body())).isEqualTo(Validity.INVALID);
            JsonNode body = json(request.body());
            assertThat(body.propertyNames()).containsExactlyInAnyOrder("time_ms", "events");
            assertThat(body.get("time_ms").isIntegralNumber()).isTrue();
            assertThat(body.get("time_ms").asLong()).isBetween(before - 60_000, before + 60_000);
        }
        List<JsonNode> events = events(receiver.requests("/app1"));
        assertThat(events).containsExactly(
                json("{\"name\":\"channel_occupied\",\"channel\":\"room\"}"),
                json("{\"name\":\"channel_vacated\",\"channel\":\"room\"}"),
                json("{\"name\":\"member_added\",\"channel\":\"presence-room\",\"user_id\":\"u1\"}"),
                json("{\"name\":\"member_removed\",\"channel\":\"presence-room\",\"user_id\":\"u1\"}"),
                json("{\"name\":\"client_event\",\"channel\":\"presence-room\",\"event\":\"client-typing\","
                        + "\"data\":\"{\\\"text\\\":\\\"h\\\\u00e9llo\\\"}\",\"socket_id\":\"123.456\",\"user_id\":\"u2\"}"),
                json("{\"name\":\"client_event\",\"channel\":\"private-room\",\"event\":\"client-x\","
                        + "\"data\":\"{}\",\"socket_id\":\"7.8\"}"),
                json("{\"name\":\"cache_miss\",\"channel\":\"cache-room\"}"),
                json("{\"name\":\"subscription_count\",\"channel\":\"room\",\"subscription_count\":42}"));
        await().atMost(TIMEOUT).until(() -> queue.size() == 0);
        assertThat(counter(HeraldMeters.WEBHOOKS_DELIVERED, "app-1")).isEqualTo(sent.size());
    }

    @Test
    void eventsQueuedTogetherGoInOneRequestOfAtMostTheBatchSize() {
        // Queued before the dispatcher starts, so its first read takes them all, and with a long
        // window what decides the batches is the count, not the timing.
        IntStream.range(0, 45).forEach(i -> enqueue(
                WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "room-" + i, i)));
        start(properties(20, Duration.ofSeconds(3), Duration.ofMinutes(5), Duration.ofSeconds(4), LENIENT));

        await().atMost(TIMEOUT).until(() -> events(receiver.requests("/app1")).size() == 45);

        assertThat(receiver.requests("/app1")).extracting(r -> json(r.body()).get("events").size())
                .containsExactlyInAnyOrder(20, 20, 5);
        // Usage counts webhook calls, not events: three requests.
        await().atMost(TIMEOUT).until(() -> counter(HeraldMeters.WEBHOOKS_DELIVERED, "app-1") == 45);
        assertThat(webhookCallsCounted("app-1")).isEqualTo(3);
        assertThat(events(receiver.requests("/app1"))).extracting(e -> e.get("channel").asString())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 45).mapToObj(i -> "room-" + i).toList());
    }

    @Test
    void eachEndpointGetsOnlyTheTypesItWants() {
        start(properties(20, Duration.ofMillis(100), Duration.ofMinutes(5), Duration.ofSeconds(4), LENIENT));
        enqueue(WebhookEvent.channel("picky", WebhookEventType.CHANNEL_OCCUPIED, "presence-a", 1));
        enqueue(WebhookEvent.member("picky", WebhookEventType.MEMBER_ADDED, "presence-a", "u", 2));

        await().atMost(TIMEOUT).until(() -> events(receiver.requests("/all")).size() == 2
                && events(receiver.requests("/picky")).size() == 1);
        await().atMost(TIMEOUT).until(() -> queue.size() == 0);

        assertThat(events(receiver.requests("/picky"))).extracting(e -> e.get("name").asString())
                .containsExactly("member_added");
    }

    @Test
    void aFailingEndpointIsRetriedWithTheSameSignedBodyUntilItAccepts() {
        receiver.failFirst("/app1", 3, 500);
        start(properties(20, Duration.ofMillis(50), Duration.ofMinutes(5), Duration.ofSeconds(4), LENIENT));
        enqueue(WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "room", 1));

        await().atMost(TIMEOUT).until(() -> counter(HeraldMeters.WEBHOOKS_DELIVERED, "app-1") == 1);

        List<TestReceiver.Request> requests = receiver.requests("/app1");
        assertThat(requests).hasSize(4);
        assertThat(requests).extracting(TestReceiver.Request::body).containsOnly(requests.get(0).body());
        assertThat(requests).extracting(r -> r.header("X-Pusher-Signature"))
                .containsOnly(requests.get(0).header("X-Pusher-Signature"));
        assertThat(failuresOf("app-1")).extracting(WebhookFailure::attempt, WebhookFailure::status,
                WebhookFailure::gaveUp).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3, 500, false),
                        org.assertj.core.groups.Tuple.tuple(2, 500, false),
                        org.assertj.core.groups.Tuple.tuple(1, 500, false));
        assertThat(failuresOf("app-1").get(0).url()).isEqualTo(receiver.url("/app1"));
        await().atMost(TIMEOUT).until(() -> queue.size() == 0);
        assertThat(counter(HeraldMeters.WEBHOOKS_FAILED, "app-1")).isZero();
        // Four attempts, one accepted: one webhook call counted.
        assertThat(webhookCallsCounted("app-1")).isEqualTo(1);
    }

    @Test
    void aBatchIsGivenUpAfterTheRetryPeriodRecordedAndAcknowledged() {
        receiver.answer("/app1", 503);
        // both queued before the dispatcher starts: one batch
        enqueue(WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "room", 1));
        enqueue(WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_VACATED, "room", 2));
        start(properties(20, Duration.ofMillis(50), Duration.ofMillis(600), Duration.ofSeconds(4), LENIENT));

        await().atMost(TIMEOUT).until(() -> failuresOf("app-1").stream().anyMatch(WebhookFailure::gaveUp));

        List<WebhookFailure> recorded = failuresOf("app-1");
        assertThat(recorded.get(0).gaveUp()).isTrue();
        assertThat(recorded.get(0).status()).isEqualTo(503);
        assertThat(recorded.get(0).attempt()).isEqualTo(recorded.size()).isGreaterThan(1);
        assertThat(recorded.subList(1, recorded.size())).noneMatch(WebhookFailure::gaveUp);
        assertThat(receiver.requests("/app1")).hasSize(recorded.size());
        assertThat(events(receiver.requests("/app1").subList(0, 1))).hasSize(2);
        assertThat(counter(HeraldMeters.WEBHOOKS_FAILED, "app-1")).isEqualTo(2);
        await().atMost(TIMEOUT).until(() -> queue.size() == 0);
    }

    @Test
    void anEndpointThatDoesNotAnswerInTimeFailsTheAttempt() {
        receiver.answer("/app1", TestReceiver.HANG);
        start(properties(20, Duration.ofMillis(50), Duration.ofMillis(900), Duration.ofMillis(300), LENIENT));
        enqueue(WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "room", 1));

        await().atMost(TIMEOUT).until(() -> failuresOf("app-1").stream().anyMatch(WebhookFailure::gaveUp));

        assertThat(failuresOf("app-1")).allSatisfy(failure -> {
            assertThat(failure.status()).isZero();
            assertThat(failure.reason()).contains("no response within 300 ms");
        });
        await().atMost(TIMEOUT).until(() -> queue.size() == 0);
    }

    @Test
    void anOpenCircuitFailsFastForItsEndpointWhileAnotherAppKeepsReceiving() {
        receiver.answer("/app1", 500);
        // Opens after 2 failures out of the last 2, and stays open for the whole test.
        WebhookDispatcherProperties.CircuitBreaker breaker =
                new WebhookDispatcherProperties.CircuitBreaker(50, 2, 2, Duration.ofMinutes(5), Duration.ofMinutes(5));
        WebhookDispatcher dispatcher = start(properties(1, Duration.ofMillis(10), Duration.ofMinutes(5),
                Duration.ofSeconds(4), breaker));
        IntStream.range(0, 3).forEach(i -> enqueue(
                WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "room-" + i, i)));

        await().atMost(TIMEOUT).until(() -> senders.get(0).circuitState(receiver.url("/app1"))
                == CircuitBreaker.State.OPEN);
        IntStream.range(0, 5).forEach(i -> enqueue(
                WebhookEvent.channel("app-2", WebhookEventType.CHANNEL_OCCUPIED, "room-" + i, i)));

        await().atMost(TIMEOUT).until(() -> events(receiver.requests("/app2")).size() == 5);
        await().atMost(TIMEOUT).until(() -> failuresOf("app-1").stream()
                .filter(f -> f.reason().startsWith("circuit open")).count() >= 10);

        // Every attempt while open failed without a request: at most the 3 first attempts (made
        // while it was still closed) reached the endpoint, though many more were made.
        assertThat(receiver.requests("/app1").size()).isLessThanOrEqualTo(3);
        assertThat(failuresOf("app-1")).filteredOn(f -> f.reason().startsWith("circuit open"))
                .allSatisfy(f -> assertThat(f.status()).isZero());
        assertThat(failuresOf("app-1")).noneMatch(WebhookFailure::gaveUp);
        // still held and retried, not given up or acknowledged
        assertThat(dispatcher.inFlight()).isEqualTo(3);
        assertThat(counter(HeraldMeters.WEBHOOKS_DELIVERED, "app-2")).isEqualTo(5);
    }

    @Test
    void eventsBeyondAnEndpointsBoundStayQueuedAndAreDeliveredLater() {
        receiver.failFirst("/app1", 6, 500);
        WebhookDispatcherProperties properties = new WebhookDispatcherProperties(true, 1, Duration.ofMillis(10),
                Duration.ofSeconds(4), Duration.ofMinutes(5), Duration.ofMillis(50), Duration.ofMillis(100),
                Duration.ofMillis(600), 10_000, 2, 100, "", LENIENT);
        WebhookDispatcher dispatcher = start(properties);
        IntStream.range(0, 6).forEach(i -> enqueue(
                WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "room-" + i, i)));

        await().atMost(TIMEOUT).until(() -> counter(HeraldMeters.WEBHOOKS_DELIVERED, "app-1") >= 6
                && queue.size() == 0);

        assertThat(events(receiver.requests("/app1"))).extracting(e -> e.get("channel").asString())
                .containsAll(IntStream.range(0, 6).mapToObj(i -> "room-" + i).toList());
        assertThat(dispatcher.inFlight()).isZero();
    }

    @Test
    void afterAnOutageANewEventArrivesWithinTwoSecondsWhileOldBatchesAreStillRetried() {
        TestClock clock = new TestClock();
        WebhookDispatcherProperties properties = EndpointOutage.properties("", Duration.ofSeconds(30));
        WebhookDispatcher dispatcher = start(properties, clock);
        WebhookSender sender = senders.get(senders.size() - 1);

        EndpointOutage.run(receiver, "/app1", app1.id(), clock, dispatcher, sender, this::enqueue,
                () -> failuresOf("app-1"));

        await().atMost(TIMEOUT).until(() -> queue.size() == 0 && dispatcher.inFlight() == 0);
        assertThat(counter(HeraldMeters.WEBHOOKS_DELIVERED, "app-1")).isEqualTo(EndpointOutage.OLD_EVENTS + 1);
        assertThat(counter(HeraldMeters.WEBHOOKS_FAILED, "app-1")).isZero();
    }

    @Test
    void aNewBatchThatWaitsForAnEndpointThatNeverRecoversIsGivenUpAfterTheRetryPeriod() {
        receiver.answer("/app1", 503);
        TestClock clock = new TestClock();
        WebhookDispatcherProperties.CircuitBreaker breaker = new WebhookDispatcherProperties.CircuitBreaker(50, 2, 2,
                Duration.ofMinutes(5), Duration.ofMinutes(5));
        WebhookDispatcherProperties properties = properties(1, Duration.ofMillis(10), Duration.ofMinutes(1),
                Duration.ofSeconds(4), breaker);
        WebhookDispatcher dispatcher = start(properties, clock);
        WebhookSender sender = senders.get(senders.size() - 1);
        IntStream.range(0, 2).forEach(i -> enqueue(
                WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "old-" + i, i)));
        await().atMost(TIMEOUT).until(() -> sender.circuitState(receiver.url("/app1")) == CircuitBreaker.State.OPEN);

        enqueue(WebhookEvent.channel("app-1", WebhookEventType.CHANNEL_OCCUPIED, "new", 3));
        await().atMost(TIMEOUT).until(() -> dispatcher.inFlight() == 3);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));

        await().atMost(TIMEOUT).until(() -> failuresOf("app-1").stream()
                .anyMatch(f -> f.gaveUp() && f.attempt() == 0));
        WebhookFailure unsent = failuresOf("app-1").stream().filter(f -> f.attempt() == 0).findFirst().orElseThrow();
        assertThat(unsent.status()).isZero();
        assertThat(unsent.reason()).startsWith("circuit open").endsWith("never sent");
        assertThat(unsent.events()).isEqualTo(1);
        // It was never sent: the endpoint saw only the two old batches' first attempts.
        assertThat(receiver.requests("/app1")).hasSize(2)
                .noneMatch(r -> r.body().contains("\"new\""));
        await().atMost(TIMEOUT).until(() -> dispatcher.inFlight() == 0 && queue.size() == 0);
    }

    @Test
    void backoffDoublesUpToItsCap() {
        WebhookDispatcherProperties properties = new WebhookDispatcherProperties(true, 20, Duration.ofMillis(250),
                Duration.ofSeconds(4), Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(60), 10_000, 2000, 100, "", LENIENT);
        WebhookSender sender = new WebhookSender(properties);
        senders.add(sender);
        WebhookDispatcher dispatcher = new WebhookDispatcher(queue, new StaticAppStore(List.of()), sender, failures,
                meters, Clock.systemUTC(), properties);

        assertThat(IntStream.rangeClosed(1, 9).mapToObj(dispatcher::backoff).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
    }
}
