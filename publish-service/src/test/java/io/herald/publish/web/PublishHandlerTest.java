package io.herald.publish.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.app.App;
import io.herald.core.app.StaticAppStore;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.InMemoryBroker;
import io.herald.core.signature.RequestSignature;
import io.herald.publish.ChannelCounts;
import io.herald.publish.ChannelInfoProvider;
import io.herald.publish.EventPublisher;
import io.herald.publish.EventRequestParser;
import io.herald.publish.InfoAttribute;
import io.herald.publish.PublishMeters;
import io.herald.publish.config.PublishProperties;
import io.herald.publish.testing.SignedRequests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

/**
 * The routes over the in-memory broker, without a server: the {@code info} response shapes once
 * a {@link ChannelInfoProvider} has counts, and the meters.
 */
class PublishHandlerTest {

    static final App APP = new App("a1", "k1", "s1-secret", null, true, App.DEFAULT_MAX_PAYLOAD_BYTES);

    final InMemoryBroker broker = new InMemoryBroker();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<Envelope> delivered = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        broker.close();
    }

    SignedRequests api(ChannelInfoProvider info) {
        PublishProperties properties = PublishProperties.defaults();
        PublishMeters meters = new PublishMeters(registry);
        PublishHandler handler = new PublishHandler(
                new RequestAuthenticator(new StaticAppStore(List.of(APP)), new RequestSignature(Clock.systemUTC()),
                        (int) properties.maxRequestSize().toBytes()),
                new EventRequestParser(properties), new EventPublisher(broker, meters, Duration.ofSeconds(1)), info,
                meters);
        WebTestClient client = WebTestClient.bindToRouterFunction(PublishRoutes.routes(handler, new ApiErrorFilter(meters)))
                .build();
        return new SignedRequests(client, "http://localhost", APP.key(), APP.secret());
    }

    /** Counts 7 users and 9 subscriptions on every channel, whatever was asked. */
    static final ChannelInfoProvider SEVEN_AND_NINE = (app, channels, attributes) -> {
        Map<String, ChannelCounts> counts = new LinkedHashMap<>();
        channels.forEach(c -> counts.put(c, new ChannelCounts(
                attributes.contains(InfoAttribute.USER_COUNT) ? 7 : null,
                attributes.contains(InfoAttribute.SUBSCRIPTION_COUNT) ? 9 : null)));
        return Mono.just(counts);
    };

    @Test
    void eventsWithInfoAnswerPushersChannelsObject() {
        SignedRequests api = api(SEVEN_AND_NINE);
        api.post("/apps/a1/events", "{\"name\":\"e\",\"channels\":[\"presence-a\",\"presence-b\"],\"data\":\"d\","
                + "\"info\":\"user_count,subscription_count\"}")
                .expectStatus().isOk().expectBody().json("{\"channels\":{\"presence-a\":{\"user_count\":7,"
                        + "\"subscription_count\":9},\"presence-b\":{\"user_count\":7,\"subscription_count\":9}}}", true);
        api.post("/apps/a1/events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}")
                .expectStatus().isOk().expectBody(String.class).isEqualTo("{}");
    }

    @Test
    void batchWithInfoAnswersOneEntryPerEventInOrder() {
        SignedRequests api = api(SEVEN_AND_NINE);
        api.post("/apps/a1/batch_events", "{\"batch\":["
                + "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\",\"info\":\"subscription_count\"},"
                + "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}]}")
                .expectStatus().isOk().expectBody().json("{\"batch\":[{\"subscription_count\":9},{}]}", true);
    }

    @Test
    void withoutCountsInfoIsAnsweredWithAnEmptyObject() {
        api(ChannelInfoProvider.none())
                .post("/apps/a1/events", "{\"name\":\"e\",\"channel\":\"presence-a\",\"data\":\"d\",\"info\":\"user_count\"}")
                .expectStatus().isOk().expectBody(String.class).isEqualTo("{}");
    }

    @Test
    void publishesThroughTheBrokerAndCountsMessagesAndErrors() {
        broker.openNode(delivered::add).subscribe(new ChannelKey("a1", "c")).block(Duration.ofSeconds(30));
        SignedRequests api = api(ChannelInfoProvider.none());

        api.post("/apps/a1/events", "{\"name\":\"e\",\"channels\":[\"c\",\"other\"],\"data\":\"d\",\"socket_id\":\"1.2\"}")
                .expectStatus().isOk();
        api.post("/apps/a1/events", "{\"name\":\"e\"}").expectStatus().isBadRequest();

        assertThat(delivered).singleElement().satisfies(e -> {
            assertThat(new String(e.frame())).isEqualTo("{\"event\":\"e\",\"channel\":\"c\",\"data\":\"d\"}");
            assertThat(e.excludeSocketId()).isEqualTo("1.2");
        });
        assertThat(registry.get("herald.messages.published").tag("app_id", "a1").counter().count()).isEqualTo(2);
        assertThat(registry.get("herald.publish.latency").tag("app_id", "a1").timer().count()).isEqualTo(1);
        assertThat(registry.get("herald.publish.errors").tag("status", "400").counter().count()).isEqualTo(1);
    }
}
