package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.ChannelSummary;
import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;

/**
 * A subscribe flood from several connections beyond this node's bound on channel-state commands in
 * flight (issue 8): the joins are held in flight by a gate in front of the real Redis state, so
 * exactly the bound's worth is in flight, and every subscribe beyond it must be refused at once
 * with a retryable error, leave nothing in the channel state, and be logged once, not once each.
 */
class SubscribeFloodTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int LIMIT = 10;
    private static final int CLIENTS = 3;
    private static final int PER_CLIENT = 20;

    static RedisServer redis;
    static EdgeTestServer server;
    static GatedChannelState state;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        server = new EdgeTestServer(redis, Map.of("herald.edge.max-state-commands-in-flight", LIMIT),
                List.of(EdgeTestServer.wrapping(ChannelState.class, GatedChannelState::new)));
        state = (GatedChannelState) server.bean(ChannelState.class);
    }

    @AfterAll
    static void stop() {
        server.close();
        redis.close();
    }

    @Test
    void aFloodBeyondTheNodesBoundIsRefusedAtOnceLoggedOnceAndLeavesNothingBehind() {
        Logger incidentLog = (Logger) LoggerFactory.getLogger(IncidentLog.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        incidentLog.addAppender(lines);
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                RawClient client = RawClient.connect(server.appUrl());
                client.established();
                clients.add(client);
            }
            Sinks.Empty<Void> gate = state.holdAllJoins();
            for (int i = 0; i < PER_CLIENT; i++) {
                for (int c = 0; c < CLIENTS; c++) {
                    clients.get(c).send(TestFrames.subscribe("flood-" + c + "-" + i));
                }
            }

            // The bound's worth is in flight, held; every other subscribe is refused without waiting for them.
            List<JsonNode> refusals = answers(clients, "pusher:subscription_error", CLIENTS * PER_CLIENT - LIMIT);
            for (JsonNode refusal : refusals) {
                JsonNode data = refusal.get("data");
                assertThat(data.get("status").asInt()).isEqualTo(503);
                assertThat(data.get("type").asString()).isEqualTo("ServerBusy");
                assertThat(data.get("error").asString()).contains("busy");
            }
            gate.tryEmitEmpty();
            List<JsonNode> successes = answers(clients, "pusher_internal:subscription_succeeded", LIMIT);

            Set<String> subscribed = new HashSet<>();
            successes.forEach(frame -> subscribed.add(frame.get("channel").asString()));
            Set<String> refused = new HashSet<>();
            refusals.forEach(frame -> refused.add(frame.get("channel").asString()));
            assertThat(subscribed).hasSize(LIMIT).doesNotContainAnyElementsOf(refused);
            // The channel state holds exactly what the clients were told they hold.
            List<ChannelSummary> occupied = state.channels(EdgeTestServer.APP_ID, "flood-").collectList().block(WAIT);
            assertThat(occupied).extracting(ChannelSummary::channel).containsExactlyInAnyOrderElementsOf(subscribed);
            assertThat(occupied).extracting(ChannelSummary::subscriptionCount).containsOnly(1L);

            Counter busy = server.bean(MeterRegistry.class).find(HeraldMeters.SUBSCRIPTIONS_REFUSED.meterName())
                    .tag("reason", "busy").counter();
            assertThat(busy).isNotNull();
            assertThat(busy.count()).isEqualTo(CLIENTS * PER_CLIENT - LIMIT);
            List<ILoggingEvent> busyLines = lines.list.stream()
                    .filter(event -> event.getFormattedMessage().contains("max-state-commands-in-flight")).toList();
            // One line for the incident (and at most a summary per 10 s while it lasts), never one per refusal.
            assertThat(busyLines).hasSizeBetween(1, 2);
            assertThat(busyLines).allSatisfy(event -> assertThat(event.getThrowableProxy()).isNull());
        }
        finally {
            incidentLog.detachAppender(lines);
            clients.forEach(RawClient::close);
        }
        // The clients are gone: so are their subscriptions.
        await().atMost(WAIT).until(() -> state.channels(EdgeTestServer.APP_ID, "flood-").collectList().block(WAIT)
                .isEmpty());
    }

    /** Takes frames from the clients until {@code count} named {@code event} have come; fails on any other. */
    private static List<JsonNode> answers(List<RawClient> clients, String event, int count) {
        List<JsonNode> found = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (found.size() < count) {
            assertThat(System.nanoTime()).as("waiting for %d %s, got %d", count, event, found.size())
                    .isLessThan(deadline);
            for (RawClient client : clients) {
                JsonNode frame;
                try {
                    frame = client.frames.poll(10, TimeUnit.MILLISECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(ex);
                }
                if (frame != null) {
                    assertThat(frame.get("event").asString()).as("%s", frame).isEqualTo(event);
                    found.add(frame);
                }
            }
        }
        return found;
    }
}
