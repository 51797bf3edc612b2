package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.app.WebhookEventType;
import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.testing.RedisServer;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.webhook.WebhookQueueConsumer;
import io.herald.core.webhook.WebhookQueueConsumer.QueuedWebhookEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The documented timing of a dead node's webhooks: {@code member_removed} and
 * {@code channel_vacated} are queued when the reaper removes the node's share (within
 * {@code node-timeout + heartbeat-interval} of its last heartbeat), without the leave delay,
 * which is made far longer than the test's wait here to show it is not added.
 */
class DeadNodeWebhooksTest {

    static RedisServer redis;
    static EdgeTestServer server;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        server = new EdgeTestServer(redis, Map.of(
                "herald.state.heartbeat-interval", "250ms", "herald.state.node-timeout", "2s",
                "herald.edge.webhook-leave-delay", "10m",
                "herald.apps[0].webhooks[0].url", "http://127.0.0.1:9/hooks",
                "herald.apps[0].webhooks[0].events", "member_removed,channel_vacated"));
    }

    @AfterAll
    static void stop() {
        server.close();
        redis.close();
    }

    @Test
    void aDeadNodesDeparturesAreQueuedWhenItIsReapedWithoutTheLeaveDelay() {
        ChannelState state = server.bean(ChannelState.class);
        ChannelKey presence = new ChannelKey(EdgeTestServer.APP_ID, "presence-dead-" + UUID.randomUUID());
        ChannelKey plain = new ChannelKey(EdgeTestServer.APP_ID, "plain-dead-" + UUID.randomUUID());
        String deadNode = "dead-" + UUID.randomUUID();
        // What a node did before it died: joined, and the app was told (member_added, channel_occupied).
        state.join(presence, deadNode, "1.1", new PresenceMember("ghost", null)).block(Duration.ofSeconds(30));
        state.announce(presence, "ghost", true).block(Duration.ofSeconds(30));
        state.join(plain, deadNode, "1.2", null).block(Duration.ofSeconds(30));
        state.announce(plain, ChannelState.CHANNEL, true).block(Duration.ofSeconds(30));

        List<WebhookEvent> queued = awaitQueued(event -> event.type() == WebhookEventType.CHANNEL_VACATED
                && event.channel().equals(plain.channel()));
        assertThat(queued).anySatisfy(event -> {
            assertThat(event.type()).isEqualTo(WebhookEventType.MEMBER_REMOVED);
            assertThat(event.channel()).isEqualTo(presence.channel());
            assertThat(event.userId()).isEqualTo("ghost");
        });
    }

    /** Reads the webhook queue until an event matches, for at most ten seconds; returns all it read. */
    private static List<WebhookEvent> awaitQueued(java.util.function.Predicate<WebhookEvent> wanted) {
        WebhookQueueConsumer queue = server.bean(WebhookQueueConsumer.class);
        List<WebhookEvent> read = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<QueuedWebhookEvent> batch = queue.read("test", 100, Duration.ofMillis(200)).block(Duration.ofSeconds(30));
            if (batch != null) {
                batch.forEach(queued -> read.add(queued.event()));
            }
            if (read.stream().anyMatch(wanted) && read.stream().anyMatch(e -> e.type() == WebhookEventType.MEMBER_REMOVED)) {
                return read;
            }
        }
        throw new AssertionError("Not queued within 10 s; read: " + read);
    }
}
