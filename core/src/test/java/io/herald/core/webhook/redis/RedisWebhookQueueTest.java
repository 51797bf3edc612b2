package io.herald.core.webhook.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.app.AppStore;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.webhook.WebhookEventFilter;
import io.herald.core.app.WebhookEventType;
import io.herald.core.webhook.WebhookQueue;
import io.herald.core.webhook.WebhookQueueConsumer.QueuedWebhookEvent;
import io.herald.core.webhook.WebhookQueueContractTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The queue contract on a real {@code redis-server}, and what only the Redis Stream does. */
class RedisWebhookQueueTest extends WebhookQueueContractTest {

    private static RedisServer redis;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> inspection;

    private final List<WebhookRedisClient> clients = new ArrayList<>();
    private final String prefix = RedisServer.uniquePrefix();

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

    private final List<io.herald.core.redis.RedisConnections> connections = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(WebhookRedisClient::close);
        connections.forEach(io.herald.core.redis.RedisConnections::close);
    }

    private WebhookRedisClient client(RedisProperties properties) {
        io.herald.core.redis.RedisConnections made = new io.herald.core.redis.RedisConnections(properties);
        connections.add(made);
        return new WebhookRedisClient(made);
    }

    static RedisProperties properties(URI state, String prefix) {
        return new RedisProperties(List.of(), prefix, Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofMillis(200), state);
    }

    private RedisWebhookQueue newQueue(AppStore apps, long maxLength) {
        WebhookRedisClient client = client(properties(redis.uri(), prefix));
        clients.add(client);
        return new RedisWebhookQueue(client, new WebhookEventFilter(apps), maxLength);
    }

    /** XCLAIM with IDLE sets the idle time Redis reports, without waiting for it. */
    @Override
    protected void age(List<String> ids, Duration by) {
        inspection.sync().xclaim(prefix + "webhooks", io.lettuce.core.Consumer.from(RedisWebhookQueue.GROUP, "a"),
                io.lettuce.core.XClaimArgs.Builder.justid().idle(by), ids.toArray(String[]::new));
    }

    @Override
    protected WebhookQueue createQueue(AppStore apps) {
        return newQueue(apps, RedisWebhookQueue.DEFAULT_MAX_LENGTH);
    }

    @Test
    void theStreamIsOneKeyUnderThePrefix() {
        enqueue(WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 1));

        assertThat(((RedisWebhookQueue) queue).key()).isEqualTo(prefix + "webhooks");
        assertThat(inspection.sync().xlen(prefix + "webhooks")).isEqualTo(1);
        assertThat(inspection.sync().xrange(prefix + "webhooks", io.lettuce.core.Range.create("-", "+")).get(0)
                .getBody()).containsEntry("app", HOOKED.id()).containsEntry("type", "channel_occupied")
                .containsEntry("channel", "room").containsEntry("time_ms", "1");
    }

    @Test
    void theStreamIsTrimmedToAboutItsMaximumLength() {
        RedisWebhookQueue small = newQueue(APPS, 10);
        IntStream.range(0, 1000).forEach(i -> small
                .enqueue(WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "r" + i, i))
                .block(TIMEOUT));

        // MAXLEN ~ trims whole radix-tree nodes (100 entries by default), so the length stays near the bound.
        assertThat(inspection.sync().xlen(small.key())).isBetween(10L, 200L);
    }

    @Test
    void eventsQueuedBeforeAnyDispatcherReadAreDelivered() {
        // No read yet, so no consumer group yet: the group is created from the start of the stream.
        WebhookEvent early = WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 1);
        enqueue(early);

        assertThat(readAll("a", 1)).extracting(QueuedWebhookEvent::event).containsExactly(early);
    }

    @Test
    void whenRedisLosesTheGroupItIsCreatedAgain() {
        enqueue(WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 1));
        assertThat(readAll("a", 1)).hasSize(1);

        inspection.sync().del(prefix + "webhooks");
        WebhookEvent later = WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_VACATED, "room", 2);
        enqueue(later);

        assertThat(readAll("a", 1)).extracting(QueuedWebhookEvent::event).containsExactly(later);
    }

    @Test
    void entriesThatAreNotWebhookEventsAreSkippedAndAcknowledged() {
        enqueue(WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 1));
        readAll("a", 1);
        inspection.sync().xadd(prefix + "webhooks", Map.of("something", "else"));
        WebhookEvent good = WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_VACATED, "room", 2);
        enqueue(good);

        assertThat(readAll("a", 1)).extracting(QueuedWebhookEvent::event).containsExactly(good);
        // the foreign entry is no longer pending; the first event (never acked) still is
        assertThat(inspection.sync().xpending(prefix + "webhooks", RedisWebhookQueue.GROUP).getCount())
                .isEqualTo(2);
    }

    @Test
    void consumersIdleWithNothingPendingAreForgottenOthersAreKept() {
        oneOfEachType(HOOKED.id()).subList(0, 3).forEach(this::enqueue);
        List<QueuedWebhookEvent> gone = readAll("gone", 1);
        StepVerifier.create(consumer.ack(List.of(gone.get(0).id()))).expectComplete().verify(TIMEOUT);
        assertThat(readAll("busy", 1)).hasSize(1);
        List<QueuedWebhookEvent> own = readAll("self", 1);
        StepVerifier.create(consumer.ack(List.of(own.get(0).id()))).expectComplete().verify(TIMEOUT);

        // Nobody has been idle for an hour: nothing is forgotten.
        assertThat(consumer.forgetIdleConsumers("self", Duration.ofHours(1)).block(TIMEOUT)).isZero();
        assertThat(consumerNames()).containsExactlyInAnyOrder("gone", "busy", "self");

        // With no idle bound, only the one that owns nothing (and is not the caller) goes.
        assertThat(consumer.forgetIdleConsumers("self", Duration.ZERO).block(TIMEOUT)).isEqualTo(1);
        assertThat(consumerNames()).containsExactlyInAnyOrder("busy", "self");
        assertThat(inspection.sync().xpending(prefix + "webhooks", RedisWebhookQueue.GROUP).getCount()).isEqualTo(1);
    }

    private List<String> consumerNames() {
        List<String> names = new ArrayList<>();
        for (Object consumer : inspection.sync().xinfoConsumers(prefix + "webhooks", RedisWebhookQueue.GROUP)) {
            List<?> fields = (List<?>) consumer;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("name".equals(fields.get(i))) {
                    names.add((String) fields.get(i + 1));
                }
            }
        }
        return names;
    }

    private RedisWebhookQueue bufferedQueue(URI state, WebhookBufferProperties buffer, MeterRegistry meters) {
        WebhookRedisClient client = client(properties(state, prefix));
        clients.add(client);
        return new RedisWebhookQueue(client, new WebhookEventFilter(APPS), 1000, buffer, meters);
    }

    private static List<WebhookEvent> events(String channelPrefix, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, channelPrefix + i, i))
                .toList();
    }

    private static List<WebhookEvent> readAll(RedisWebhookQueue q) {
        List<WebhookEvent> all = new ArrayList<>();
        List<QueuedWebhookEvent> read;
        do {
            read = q.read("a", 100, Duration.ZERO).block(TIMEOUT);
            read.forEach(queued -> all.add(queued.event()));
        }
        while (!read.isEmpty());
        return all;
    }

    @Test
    void eventsRaisedWhileTheStateRedisIsDownAreBufferedAndQueuedInOrderOnceWhenItIsBack() {
        RedisServer own = RedisServer.start();
        try {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            RedisWebhookQueue q = bufferedQueue(own.uri(), WebhookBufferProperties.DEFAULTS, meters);
            WebhookEvent before = WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "before", 1);
            StepVerifier.create(q.enqueue(before)).expectComplete().verify(TIMEOUT);

            own.stop();
            List<WebhookEvent> during = events("during-", 50);
            // Accepted: kept on this node rather than lost.
            during.forEach(event -> StepVerifier.create(q.enqueue(event)).expectComplete().verify(TIMEOUT));
            assertThat(q.buffered()).isEqualTo(50);
            assertThat(meters.get("herald.webhooks.buffer.size").gauge().value()).isEqualTo(50);

            own.restart();
            await().atMost(TIMEOUT).until(() -> q.buffered() == 0);
            WebhookEvent after = WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "after", 2);
            StepVerifier.create(q.enqueue(after)).expectComplete().verify(TIMEOUT);

            // The restarted Redis lost "before"; the buffered ones arrive in order, each once, then "after".
            List<WebhookEvent> expected = new ArrayList<>(during);
            expected.add(after);
            assertThat(readAll(q)).containsExactlyElementsOf(expected);
            assertThat(meters.get("herald.webhooks.buffer.dropped").counter().count()).isZero();
        }
        finally {
            own.close();
        }
    }

    @Test
    void beyondItsCapacityTheBufferDropsNewEventsAndCountsThem() {
        RedisServer own = RedisServer.start();
        try {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            RedisWebhookQueue q = bufferedQueue(own.uri(),
                    new WebhookBufferProperties(5, Duration.ofMillis(50), Duration.ofSeconds(5)), meters);
            StepVerifier.create(q.enqueue(events("warm-", 1).get(0))).expectComplete().verify(TIMEOUT);
            readAll(q);

            own.stop();
            List<WebhookEvent> during = events("during-", 8);
            during.forEach(event -> StepVerifier.create(q.enqueue(event)).expectComplete().verify(TIMEOUT));
            assertThat(q.buffered()).isEqualTo(5);
            assertThat(meters.get("herald.webhooks.buffer.dropped").counter().count()).isEqualTo(3);

            own.restart();
            await().atMost(TIMEOUT).until(() -> q.buffered() == 0);
            assertThat(readAll(q)).containsExactlyElementsOf(during.subList(0, 5));
        }
        finally {
            own.close();
        }
    }

    @Test
    void atCloseTheBufferIsWrittenIfTheStateRedisIsBackInTimeElseItsEventsAreCountedLost() {
        RedisServer own = RedisServer.start();
        try {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            // A long retry interval: the events are written by close() waiting, not by an earlier retry.
            RedisWebhookQueue flushed = bufferedQueue(own.uri(),
                    new WebhookBufferProperties(100, Duration.ofMillis(500), Duration.ofSeconds(15)), meters);
            SimpleMeterRegistry lostMeters = new SimpleMeterRegistry();
            RedisWebhookQueue lost = bufferedQueue(own.uri(),
                    new WebhookBufferProperties(100, Duration.ofMillis(500), Duration.ZERO), lostMeters);
            StepVerifier.create(flushed.enqueue(events("warm-", 1).get(0))).expectComplete().verify(TIMEOUT);
            StepVerifier.create(lost.enqueue(events("warm-", 1).get(0))).expectComplete().verify(TIMEOUT);

            own.stop();
            events("lost-", 2).forEach(e -> StepVerifier.create(lost.enqueue(e)).expectComplete().verify(TIMEOUT));
            lost.close();
            assertThat(lost.buffered()).isZero();
            assertThat(lostMeters.get("herald.webhooks.buffer.dropped").counter().count()).isEqualTo(2);

            List<WebhookEvent> during = events("during-", 3);
            during.forEach(e -> StepVerifier.create(flushed.enqueue(e)).expectComplete().verify(TIMEOUT));
            own.restart();
            flushed.close();
            assertThat(meters.get("herald.webhooks.buffer.dropped").counter().count()).isZero();
            assertThat(inspectStream(own)).containsExactly("during-0", "during-1", "during-2");
        }
        finally {
            own.close();
        }
    }

    /** The channels of the stream's entries, in order, read with a client of the test's own. */
    private List<String> inspectStream(RedisServer server) {
        RedisClient own = RedisClient.create(server.uri().toString());
        try (StatefulRedisConnection<String, String> connection = own.connect()) {
            return connection.sync().xrange(prefix + "webhooks", io.lettuce.core.Range.create("-", "+")).stream()
                    .map(message -> message.getBody().get("channel")).toList();
        }
        finally {
            own.shutdown();
        }
    }

    @Test
    void aServiceStartsWhileTheStateRedisIsDownAndQueuesWhatWasRaisedMeanwhile() {
        RedisServer own = RedisServer.start();
        URI uri = own.uri();
        own.stop();
        try {
            RedisWebhookQueue q = bufferedQueue(uri, WebhookBufferProperties.DEFAULTS, new SimpleMeterRegistry());
            WebhookEvent event = WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 1);
            StepVerifier.create(q.enqueue(event)).expectComplete().verify(TIMEOUT);
            assertThat(q.buffered()).isEqualTo(1);

            own.restart();
            await().atMost(TIMEOUT).until(() -> q.buffered() == 0);
            assertThat(readAll(q)).containsExactly(event);
        }
        finally {
            own.close();
        }
    }
}
