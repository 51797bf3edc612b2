package io.herald.publish.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.app.App;
import io.herald.core.app.StaticAppStore;
import io.herald.core.app.Webhook;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.TestClock;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.webhook.WebhookEventFilter;
import io.herald.core.app.WebhookEventType;
import io.herald.core.webhook.WebhookFailureLog.WebhookFailure;
import io.herald.core.webhook.redis.RedisWebhookFailureLog;
import io.herald.core.webhook.redis.RedisWebhookQueue;
import io.herald.core.webhook.redis.WebhookRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.models.stream.PendingMessages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dispatchers on a real {@code redis-server}, as separate processes would be (each its own Redis
 * client, queue and sender): at-least-once delivery when a dispatcher dies holding events.
 */
class RedisWebhookDispatcherTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Short, so that a dead dispatcher's events are taken over quickly. */
    static final Duration CLAIM_IDLE = Duration.ofMillis(1500);

    private static RedisServer redis;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> inspection;

    private final String prefix = RedisServer.uniquePrefix();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestReceiver receiver;
    private App app;
    private StaticAppStore apps;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        inspector = RedisClient.create(redis.uri().toString());
        inspection = inspector.connect();
    }

    @AfterAll
    static void stopRedis() {
        if (inspection != null) {
            inspection.close();
            inspector.shutdown();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void setUp() {
        receiver = new TestReceiver();
        app = WebhookDispatcherTest.app("app-1", new Webhook(receiver.url("/hooks"), Set.of()));
        apps = new StaticAppStore(List.of(app));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        receiver.close();
    }

    /** One "process": its own Redis client, queue, failure log, sender and dispatcher. */
    private record Process(RedisWebhookQueue queue, RedisWebhookFailureLog failures, WebhookDispatcher dispatcher) {
    }

    private Process process(String name) {
        WebhookDispatcherProperties properties = new WebhookDispatcherProperties(true, 20, Duration.ofMillis(50),
                Duration.ofSeconds(4), Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofMillis(300),
                CLAIM_IDLE, 10_000, 2000, 100, name, WebhookDispatcherTest.LENIENT);
        return process(properties, new WebhookSender(properties), Clock.systemUTC());
    }

    private Process process(WebhookDispatcherProperties properties, WebhookSender sender, Clock clock) {
        RedisConnections connections = new RedisConnections(new RedisProperties(List.of(), prefix,
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(200), redis.uri()));
        closeables.add(connections);
        WebhookRedisClient client = new WebhookRedisClient(connections);
        closeables.add(client);
        RedisWebhookQueue queue = new RedisWebhookQueue(client, new WebhookEventFilter(apps), 10_000);
        RedisWebhookFailureLog failures = new RedisWebhookFailureLog(client);
        closeables.add(sender);
        WebhookDispatcher dispatcher = new WebhookDispatcher(queue, apps, sender, failures, new SimpleMeterRegistry(),
                clock, properties);
        closeables.add(dispatcher);
        return new Process(queue, failures, dispatcher);
    }

    private PendingMessages pending() {
        return inspection.sync().xpending(prefix + "webhooks", RedisWebhookQueue.GROUP);
    }

    private List<String> deliveredChannels(int fromRequest) {
        List<TestReceiver.Request> requests = receiver.requests("/hooks");
        List<String> channels = new ArrayList<>();
        requests.subList(Math.min(fromRequest, requests.size()), requests.size()).forEach(r ->
                PusherCodec.json().readTree(r.body()).get("events")
                        .forEach(e -> channels.add(e.get("channel").asString())));
        return channels;
    }

    @Test
    void eventsHeldByADispatcherThatDiesAreDeliveredByAnother() {
        Process a = process("dispatcher-a");
        List<String> channels = IntStream.range(0, 5).mapToObj(i -> "room-" + i).toList();
        channels.forEach(channel -> a.queue().enqueue(
                WebhookEvent.channel(app.id(), WebhookEventType.CHANNEL_OCCUPIED, channel, 1)).block(TIMEOUT));

        // A takes the events and fails to deliver them: they are pending for A, unacknowledged.
        receiver.answer("/hooks", 500);
        a.dispatcher().start();
        await().atMost(TIMEOUT).until(() -> receiver.requests("/hooks").size() >= 2);
        assertThat(pending().getCount()).isEqualTo(5);
        assertThat(pending().getConsumerMessageCount()).containsOnlyKeys("dispatcher-a");

        // A dies (as a process would: it acknowledges nothing more); the endpoint recovers.
        a.dispatcher().stop();
        receiver.answer("/hooks", 200);
        int before = receiver.requests("/hooks").size();

        Process b = process("dispatcher-b");
        b.dispatcher().start();

        await().atMost(TIMEOUT).until(() -> deliveredChannels(before).containsAll(channels));
        await().atMost(TIMEOUT).until(() -> pending().getCount() == 0);
        List<WebhookFailure> recorded = b.failures().recent(app.id(), 100).collectList().block(TIMEOUT);
        assertThat(recorded).isNotEmpty().allSatisfy(f -> assertThat(f.status()).isEqualTo(500));
    }

    @Test
    void afterAnOutageANewEventArrivesWithinTwoSecondsWhileOldBatchesAreStillRetried() {
        TestClock clock = new TestClock();
        // claim-idle long enough that the dispatcher's own events are never taken over here
        WebhookDispatcherProperties properties = EndpointOutage.properties("dispatcher-a", Duration.ofSeconds(60));
        WebhookSender sender = new WebhookSender(properties, clock);
        Process a = process(properties, sender, clock);
        a.dispatcher().start();

        EndpointOutage.run(receiver, "/hooks", app.id(), clock, a.dispatcher(), sender,
                event -> a.queue().enqueue(event).block(TIMEOUT),
                () -> a.failures().recent(app.id(), 100).collectList().block(TIMEOUT));

        // Every event acknowledged: nothing left pending in the consumer group.
        await().atMost(TIMEOUT).until(() -> pending().getCount() == 0);
        assertThat(a.dispatcher().inFlight()).isZero();
    }

    @Test
    void aLiveDispatcherKeepsItsEventsWhileItRetriesLongerThanClaimIdle() throws InterruptedException {
        Process a = process("dispatcher-a");
        a.queue().enqueue(WebhookEvent.channel(app.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 1)).block(TIMEOUT);
        receiver.answer("/hooks", 500);
        a.dispatcher().start();
        await().atMost(TIMEOUT).until(() -> pending().getCount() == 1);

        Process b = process("dispatcher-b");
        b.dispatcher().start();
        // For two claim-idle periods, B never gets the event: A keeps refreshing its claim. (A bound
        // on the idle time Redis reports would be a timing assertion; ownership is the behaviour.)
        long end = System.nanoTime() + CLAIM_IDLE.multipliedBy(2).toNanos();
        while (System.nanoTime() < end) {
            assertThat(pending().getConsumerMessageCount()).containsOnlyKeys("dispatcher-a");
            assertThat(b.dispatcher().inFlight()).isZero();
            Thread.sleep(50);
        }

        assertThat(pending().getConsumerMessageCount()).containsOnlyKeys("dispatcher-a");
        assertThat(b.dispatcher().inFlight()).isZero();
        assertThat(a.dispatcher().inFlight()).isEqualTo(1);

        receiver.answer("/hooks", 200);
        await().atMost(TIMEOUT).until(() -> pending().getCount() == 0);
    }
}
