package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.redis.RedisConnections;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.core.webhook.redis.RedisWebhookQueue;
import io.herald.edge.EdgeServiceApplication;
import io.herald.publish.PublishServiceApplication;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Webhooks raised on an edge while the state Redis (the webhook queue) is down: an official
 * pusher-java-client subscribes to channels during the outage, each first subscription raises
 * {@code channel_occupied} on the edge, and once the state Redis is back the dispatcher (the
 * publish service's webhook role) delivers every one of them to the tenant's receiver, once;
 * what did not fit in the edge's buffer is counted.
 */
class StateRedisOutageWebhooksTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Small, so that overflowing it takes a few subscriptions. */
    static final int BUFFER = 10;

    final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    final String prefix = RedisServer.uniquePrefix();
    RedisServer shard;
    RedisServer state;
    TenantServer tenant;
    ConfigurableApplicationContext edge;

    @BeforeEach
    void start() throws Exception {
        tenant = new TenantServer(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
        shard = RedisServer.start();
        state = RedisServer.startPersistent();
        Map<String, Object> common = new HashMap<>();
        common.put("server.port", 0);
        common.put("herald.apps[0].id", Cluster.APP_ID);
        common.put("herald.apps[0].key", Cluster.KEY);
        common.put("herald.apps[0].secret", Cluster.SECRET);
        common.put("herald.apps[0].webhooks[0].url", tenant.url("/webhooks"));
        common.put("herald.apps[0].webhooks[0].events[0]", "channel_occupied");
        common.put("herald.redis.shards[0]", shard.uri().toString());
        common.put("herald.redis.state", state.uri().toString());
        common.put("herald.redis.key-prefix", prefix);
        common.put("herald.redis.reconnect-max-delay", "200ms");
        common.put("herald.webhooks.buffer.capacity", BUFFER);
        edge = new SpringApplicationBuilder(EdgeServiceApplication.class).properties(EdgeServiceApplication.DEFAULTS)
                .properties(common).initializers(ServerTesting::ownEventLoops).run();
        contexts.add(edge);
        contexts.add(PublishServiceApplication.builder().properties(common)
                .initializers(ServerTesting::ownEventLoops).run());
    }

    @AfterEach
    void stop() throws Exception {
        contexts.forEach(ConfigurableApplicationContext::close);
        if (shard != null) {
            shard.close();
        }
        if (state != null) {
            state.close();
        }
        if (tenant != null) {
            tenant.close();
        }
    }

    @Test
    void webhooksRaisedWhileTheStateRedisIsDownAreDeliveredOnceWhenItIsBackAndOverflowIsCounted() throws Exception {
        try (OfficialClient client = OfficialClient.connect(Cluster.KEY, ServerTesting.port(edge))) {
            subscribe(client, "before");
            await().atMost(TIMEOUT).until(() -> tenant.webhookEvents.contains("channel_occupied:before"));
            // Acknowledged before the outage, so the dispatcher has no reason to deliver it again.
            await().atMost(TIMEOUT).until(() -> pendingWebhooks() == 0);

            state.stop();
            RedisConnections redis = edge.getBean(RedisConnections.class);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> !redis.health().get(RedisConnections.STATE).up());
            // BUFFER + 3 first subscriptions, so BUFFER + 3 channel_occupied webhooks: 3 more than the buffer holds.
            List<String> during = IntStream.range(0, BUFFER + 3).mapToObj(i -> "during-" + i).toList();
            for (String channel : during) {
                subscribe(client, channel);
            }
            MeterRegistry meters = edge.getBean(MeterRegistry.class);
            await().atMost(TIMEOUT).until(() -> count(meters, "herald.webhooks.buffer.dropped") == 3);
            assertThat(count(meters, "herald.webhooks.buffer.size")).isEqualTo(BUFFER);
            assertThat(tenant.webhookEvents).containsExactly("channel_occupied:before");

            long restarted = System.nanoTime();
            state.restart();
            await().atMost(TIMEOUT).until(() -> tenant.webhookEvents.size() >= 1 + BUFFER);
            System.out.printf("State Redis back: %d buffered webhooks delivered %d ms after its restart%n",
                    BUFFER, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
            await().atMost(TIMEOUT).until(() -> count(meters, "herald.webhooks.buffer.size") == 0);

            // A webhook raised after the outage goes straight through again.
            subscribe(client, "after");
            await().atMost(TIMEOUT).until(() -> tenant.webhookEvents.contains("channel_occupied:after"));
            List<String> delivered = List.copyOf(tenant.webhookEvents);
            // Each once: BUFFER of the outage's events (those that fit), nothing written twice by the buffer.
            assertThat(delivered).hasSize(1 + BUFFER + 1).doesNotHaveDuplicates()
                    .contains("channel_occupied:before", "channel_occupied:after");
            assertThat(delivered.subList(1, 1 + BUFFER))
                    .allSatisfy(entry -> assertThat(during).contains(entry.substring("channel_occupied:".length())));
            assertThat(tenant.badSignatures).isEmpty();
        }
    }

    /** A counter's count or a gauge's value; -1 while there is no such meter. */
    private static double count(MeterRegistry meters, String name) {
        var meter = meters.find(name).meter();
        if (meter == null) {
            return -1;
        }
        return meter.measure().iterator().next().getValue();
    }

    private long pendingWebhooks() {
        RedisClient inspector = RedisClient.create(state.uri().toString());
        try (StatefulRedisConnection<String, String> connection = inspector.connect()) {
            return connection.sync().xpending(prefix + "webhooks", RedisWebhookQueue.GROUP).getCount();
        }
        finally {
            inspector.shutdown();
        }
    }

    private static void subscribe(OfficialClient client, String channel) throws Exception {
        ChannelRecorder recorder = new ChannelRecorder();
        client.pusher.subscribe(channel, recorder);
        recorder.subscribed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
