package io.herald.core.webhook;

import io.herald.core.app.WebhookEventType;
import io.herald.core.testing.TestClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.app.AppStore;
import java.time.Clock;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InMemoryWebhookQueueTest extends WebhookQueueContractTest {

    private final TestClock clock = new TestClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));

    @Override
    protected WebhookQueue createQueue(AppStore apps) {
        return new InMemoryWebhookQueue(new WebhookEventFilter(apps), 10_000, clock);
    }

    @Override
    protected void age(List<String> ids, java.time.Duration by) {
        clock.advance(by);
    }


    @Test
    void aFullQueueDropsTheOldestEventsAndCountsThem() {
        InMemoryWebhookQueue small = new InMemoryWebhookQueue(new WebhookEventFilter(APPS), 5, Clock.systemUTC());
        List<WebhookEvent> sent = IntStream.range(0, 8)
                .mapToObj(i -> WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "room-" + i, i))
                .toList();
        sent.forEach(event -> small.enqueue(event).block(TIMEOUT));

        assertThat(small.dropped()).isEqualTo(3);
        assertThat(small.size()).isEqualTo(5);
        assertThat(small.read("a", 10, java.time.Duration.ZERO).block(TIMEOUT))
                .extracting(WebhookQueueConsumer.QueuedWebhookEvent::event)
                .containsExactlyElementsOf(sent.subList(3, 8));
    }

    @Test
    void pendingEventsCountTowardsTheBoundToo() {
        InMemoryWebhookQueue small = new InMemoryWebhookQueue(new WebhookEventFilter(APPS), 2, Clock.systemUTC());
        small.enqueue(WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "a", 1)).block(TIMEOUT);
        small.enqueue(WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "b", 2)).block(TIMEOUT);
        assertThat(small.read("a", 10, java.time.Duration.ZERO).block(TIMEOUT)).hasSize(2);

        small.enqueue(WebhookEvent.channel(HOOKED.id(), WebhookEventType.CHANNEL_OCCUPIED, "c", 3)).block(TIMEOUT);

        assertThat(small.size()).isEqualTo(2);
        assertThat(small.dropped()).isEqualTo(1);
    }
}
