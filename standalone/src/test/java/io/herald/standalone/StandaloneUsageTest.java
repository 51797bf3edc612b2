package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.data.Result;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import io.herald.core.usage.UsageCounts;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The standalone server counts usage and aggregates it in-process: official clients subscribe,
 * the official server library publishes, and the usage series hold exactly what happened.
 */
class StandaloneUsageTest {

    @Test
    void publishesDeliveriesRequestsAndConnectionsAreCountedExactly() throws Exception {
        try (StandaloneServer server = new StandaloneServer(Map.of("herald.usage.flush-interval", "100ms"))) {
            List<OfficialClient> clients = new ArrayList<>();
            List<ChannelRecorder> recorders = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    OfficialClient client = OfficialClient.connect("demo-key", server.port);
                    clients.add(client);
                    ChannelRecorder recorder = new ChannelRecorder();
                    client.pusher.subscribe("usage", recorder, "tick");
                    recorder.subscribed.get(10, TimeUnit.SECONDS);
                    recorders.add(recorder);
                }
                com.pusher.rest.Pusher publisher = server.publisher();
                for (int i = 0; i < 2; i++) {
                    Result result = publisher.trigger(List.of("usage", "nobody-here"), "tick", Map.of("n", i));
                    assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
                }
                publisher.close();
                for (ChannelRecorder recorder : recorders) {
                    assertThat(recorder.events.poll(10, TimeUnit.SECONDS)).isNotNull();
                    assertThat(recorder.events.poll(10, TimeUnit.SECONDS)).isNotNull();
                }

                UsageStore store = server.context.getBean(UsageStore.class);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    UsageCounts total = store.read("demo-app", Instant.now(), Instant.now().plusSeconds(1),
                            UsageStep.MINUTE).block(Duration.ofSeconds(30)).total();
                    // Two events to two channels each: 4 messages; 3 subscribers of one channel: 6 deliveries.
                    assertThat(total.get(UsageQuantity.MESSAGES_PUBLISHED)).isEqualTo(4);
                    assertThat(total.get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(6);
                    assertThat(total.get(UsageQuantity.API_REQUESTS)).isEqualTo(2);
                    assertThat(total.get(UsageQuantity.CONNECTIONS_OPENED)).isEqualTo(3);
                    assertThat(total.get(UsageQuantity.PEAK_CONNECTIONS)).isEqualTo(3);
                    assertThat(total.billableMessages()).isEqualTo(10);
                });
                UsageCounts cluster = store.read(UsageStore.CLUSTER, Instant.now(), Instant.now().plusSeconds(1),
                        UsageStep.DAY).block(Duration.ofSeconds(30)).total();
                assertThat(cluster.get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(6);
            }
            finally {
                clients.forEach(OfficialClient::close);
            }
        }
    }
}
