package io.herald.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import io.herald.core.app.StaticAppStore;
import io.herald.core.app.Webhook;
import io.herald.core.app.WebhookEventType;
import io.herald.core.webhook.WebhookQueueConsumer.QueuedWebhookEvent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What every {@link WebhookQueue} (with its {@link WebhookQueueConsumer} side) must do, run
 * against each adapter. Every test gets a fresh, empty queue.
 */
public abstract class WebhookQueueContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Wants every type. */
    protected static final App HOOKED = app("hooked", true, new Webhook(URI.create("http://hooks.test/all"), Set.of()));
    /** Wants only member_added. */
    protected static final App PICKY = app("picky", true,
            new Webhook(URI.create("http://hooks.test/picky"), Set.of(WebhookEventType.MEMBER_ADDED)));
    protected static final App PLAIN = app("plain", true);
    protected static final App DISABLED = app("disabled", false,
            new Webhook(URI.create("http://hooks.test/off"), Set.of()));
    protected static final AppStore APPS = new StaticAppStore(List.of(HOOKED, PICKY, PLAIN, DISABLED));

    protected WebhookQueue queue;
    protected WebhookQueueConsumer consumer;

    /** A new, empty queue that filters with {@code apps}; it must implement both interfaces. */
    protected abstract WebhookQueue createQueue(AppStore apps);

    /** Makes the given pending events (at least) {@code by} older, as if that much time had passed. */
    protected abstract void age(List<String> ids, Duration by);

    @BeforeEach
    void createTheQueue() {
        queue = createQueue(APPS);
        consumer = (WebhookQueueConsumer) queue;
    }

    protected static App app(String id, boolean enabled, Webhook... webhooks) {
        return new App(id, id + "-key", id + "-secret", id, enabled, null, null, List.of(webhooks), null, null);
    }

    protected static List<WebhookEvent> oneOfEachType(String appId) {
        return List.of(
                WebhookEvent.channel(appId, WebhookEventType.CHANNEL_OCCUPIED, "room", 1000),
                WebhookEvent.channel(appId, WebhookEventType.CHANNEL_VACATED, "room", 1001),
                WebhookEvent.member(appId, WebhookEventType.MEMBER_ADDED, "presence-room", "user-1", 1002),
                WebhookEvent.member(appId, WebhookEventType.MEMBER_REMOVED, "presence-room", "user-1", 1003),
                new WebhookEvent(appId, WebhookEventType.CLIENT_EVENT, "presence-room", "user-2", "client-typing",
                        "{\"text\":\"héllo \\\"you\\\"\"}", "123.456", null, 1004),
                new WebhookEvent(appId, WebhookEventType.CLIENT_EVENT, "private-room", null, "client-x", "{}",
                        "1.2", null, 1005),
                WebhookEvent.channel(appId, WebhookEventType.CACHE_MISS, "cache-room", 1006),
                new WebhookEvent(appId, WebhookEventType.SUBSCRIPTION_COUNT, "room", null, null, null, null, 42L, 1007));
    }

    protected void enqueue(WebhookEvent event) {
        StepVerifier.create(queue.enqueue(event)).expectComplete().verify(TIMEOUT);
    }

    protected List<QueuedWebhookEvent> read(String name, int max) {
        return consumer.read(name, max, Duration.ZERO).block(TIMEOUT);
    }

    /** Reads until {@code count} events arrived (a read may return fewer than are there). */
    protected List<QueuedWebhookEvent> readAll(String name, int count) {
        List<QueuedWebhookEvent> all = new ArrayList<>();
        for (int i = 0; i < 50 && all.size() < count; i++) {
            all.addAll(consumer.read(name, count - all.size(), Duration.ofMillis(200)).block(TIMEOUT));
        }
        return all;
    }

    private static List<WebhookEvent> events(List<QueuedWebhookEvent> queued) {
        return queued.stream().map(QueuedWebhookEvent::event).toList();
    }

    private static List<String> ids(List<QueuedWebhookEvent> queued) {
        return queued.stream().map(QueuedWebhookEvent::id).toList();
    }

    @Test
    void everyTypeComesOutAsItWentInAndInOrder() {
        List<WebhookEvent> sent = oneOfEachType(HOOKED.id());
        sent.forEach(this::enqueue);

        List<QueuedWebhookEvent> got = readAll("a", sent.size());

        assertThat(events(got)).containsExactlyElementsOf(sent);
        assertThat(new HashSet<>(ids(got))).hasSize(sent.size());
    }

    @Test
    void eventsThatNoWebhookOfTheAppWantsAreNotQueued() {
        enqueue(WebhookEvent.channel(PLAIN.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 1));
        enqueue(WebhookEvent.channel(DISABLED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 2));
        enqueue(WebhookEvent.channel("no-such-app", WebhookEventType.CHANNEL_OCCUPIED, "room", 3));
        enqueue(WebhookEvent.channel(PICKY.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 4));
        WebhookEvent wanted = WebhookEvent.member(PICKY.id(), WebhookEventType.MEMBER_ADDED, "presence-a", "u", 5);
        enqueue(wanted);
        WebhookEvent last = WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 6);
        enqueue(last);

        // Order is kept, so once the last event is read, anything queued before it was read too.
        List<QueuedWebhookEvent> got = readAll("a", 2);
        got.addAll(consumer.read("a", 10, Duration.ZERO).block(TIMEOUT));

        assertThat(events(got)).containsExactly(wanted, last);
    }

    @Test
    void aReadWithNothingQueuedCompletesEmpty() {
        StepVerifier.create(consumer.read("a", 10, Duration.ofMillis(100)))
                .expectNext(List.of())
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aWaitingReadGetsAnEventQueuedWhileItWaits() {
        WebhookEvent event = WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room", 1);

        Mono<List<QueuedWebhookEvent>> waiting = consumer.read("a", 10, Duration.ofSeconds(5));

        StepVerifier.create(waiting)
                .then(() -> queue.enqueue(event).subscribe())
                .assertNext(got -> assertThat(events(got)).containsExactly(event))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void eachEventGoesToOneConsumerOnly() {
        List<WebhookEvent> sent = IntStream.range(0, 20)
                .mapToObj(i -> WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room-" + i, i))
                .toList();
        sent.forEach(this::enqueue);

        List<QueuedWebhookEvent> a = read("a", 7);
        List<QueuedWebhookEvent> b = readAll("b", 20 - a.size());

        assertThat(a).isNotEmpty();
        List<WebhookEvent> both = new ArrayList<>(events(a));
        both.addAll(events(b));
        assertThat(both).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(read("a", 10)).isEmpty();
    }

    @Test
    void eventsReadButNotAckedCanBeReclaimedByAnotherConsumerOnceIdleLongEnough() {
        List<WebhookEvent> sent = oneOfEachType(HOOKED.id()).subList(0, 3);
        sent.forEach(this::enqueue);
        List<QueuedWebhookEvent> a = readAll("a", 3);
        StepVerifier.create(consumer.ack(List.of(a.get(0).id()))).expectComplete().verify(TIMEOUT);

        assertThat(consumer.reclaim("b", Duration.ofHours(1), 10).block(TIMEOUT)).isEmpty();
        List<QueuedWebhookEvent> reclaimed = consumer.reclaim("b", Duration.ZERO, 10).block(TIMEOUT);

        assertThat(reclaimed).containsExactlyInAnyOrder(a.get(1), a.get(2));
    }

    @Test
    void ackedEventsAreNeverHandedOutAgain() {
        oneOfEachType(HOOKED.id()).forEach(this::enqueue);
        List<QueuedWebhookEvent> a = readAll("a", 8);
        StepVerifier.create(consumer.ack(ids(a))).expectComplete().verify(TIMEOUT);

        assertThat(consumer.reclaim("b", Duration.ZERO, 100).block(TIMEOUT)).isEmpty();
        assertThat(consumer.reclaim("b", Duration.ZERO, 100).block(TIMEOUT)).isEmpty();
        assertThat(read("b", 100)).isEmpty();
    }

    @Test
    void acknowledgingUnknownIdsIsHarmless() {
        StepVerifier.create(consumer.ack(List.of("999999-0"))).expectComplete().verify(TIMEOUT);
        StepVerifier.create(consumer.touch("a", List.of("999999-0"))).expectComplete().verify(TIMEOUT);
        StepVerifier.create(consumer.ack(List.of())).expectComplete().verify(TIMEOUT);
    }

    @Test
    void touchedEventsDoNotLookIdle() {
        List<WebhookEvent> sent = oneOfEachType(HOOKED.id()).subList(0, 2);
        sent.forEach(this::enqueue);
        List<QueuedWebhookEvent> a = readAll("a", 2);

        // Both look idle for a minute (no sleeping: the adapter ages them), then only the first is touched.
        Duration minIdle = Duration.ofSeconds(30);
        age(a.stream().map(QueuedWebhookEvent::id).toList(), Duration.ofMinutes(1));
        StepVerifier.create(consumer.touch("a", List.of(a.get(0).id()))).expectComplete().verify(TIMEOUT);
        List<QueuedWebhookEvent> reclaimed = consumer.reclaim("b", minIdle, 10).block(TIMEOUT);

        assertThat(reclaimed).containsExactly(a.get(1));
    }
}
