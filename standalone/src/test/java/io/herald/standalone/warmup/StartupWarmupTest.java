package io.herald.standalone.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.core.app.AppStore;
import io.herald.core.testing.OfficialClient;
import io.herald.core.usage.UsageCounts;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import io.herald.core.warmup.StartupWarmup;
import io.herald.core.warmup.WarmupApp;
import io.herald.core.warmup.WarmupRounds;
import io.herald.publish.warmup.PublishWarmup;
import io.herald.standalone.HeraldStandaloneApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The start-up warm-up of the standalone server (both roles): readiness comes after it warmed
 * the handshake and the publish path, and its connections and publishes leave no trace in usage,
 * metrics or the app store once the server is up.
 */
class StartupWarmupTest {

    /** What the warm-up had done when the server reported ready. */
    private final AtomicReference<Map<String, WarmupRounds>> atReadiness = new AtomicReference<>();
    private final AtomicReference<Boolean> finishedAtReadiness = new AtomicReference<>();
    private final AtomicReference<Long> deliveredAtReadiness = new AtomicReference<>();

    /** @param enabled on as shipped; this module's test resources turn it off for the other tests */
    private ConfigurableApplicationContext start(boolean enabled) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--herald.usage.flush-interval=100ms",
                "--herald.warmup.enabled=" + enabled, "--herald.warmup.connections=40", "--herald.warmup.concurrency=4",
                "--herald.warmup.publishes=200", "--herald.warmup.publish-concurrency=4",
                // the counts end it, not the compilers (which may be quiet early on a fast machine)
                "--herald.warmup.quiet-compilation=0s"));
        ApplicationListener<AvailabilityChangeEvent<?>> readiness = event -> {
            if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
                ApplicationContext context = (ApplicationContext) event.getSource();
                StartupWarmup warmup = context.getBeanProvider(StartupWarmup.class).getIfAvailable();
                finishedAtReadiness.set(warmup != null && warmup.finished());
                atReadiness.set(warmup == null ? Map.of() : warmup.results());
                PublishWarmup publish = context.getBeanProvider(PublishWarmup.class).getIfAvailable();
                deliveredAtReadiness.set(publish == null ? -1 : publish.delivered());
            }
        };
        return new SpringApplicationBuilder(HeraldStandaloneApplication.class).listeners(readiness)
                .run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void readinessComesAfterTheWarmUpWentThroughBothPaths() {
        try (ConfigurableApplicationContext context = start(true)) {
            assertThat(finishedAtReadiness.get()).isTrue();
            // connections established, subscribed and answered a ping; publishes answered 200 and delivered
            assertThat(atReadiness.get()).containsOnlyKeys("handshake", "publish");
            assertThat(atReadiness.get().get("handshake").completed()).isPositive();
            assertThat(atReadiness.get().get("publish").completed()).isPositive();
            assertThat(deliveredAtReadiness.get()).isPositive();
        }
    }

    @Test
    void theWarmUpAppIsUnknownOnceUpAndLeavesNoUsageNorMeters() throws Exception {
        try (ConfigurableApplicationContext context = start(true)) {
            WarmupApp warmup = context.getBean(WarmupApp.class);
            String id = warmup.app().id();
            assertThat(atReadiness.get().get("publish").completed()).isPositive();
            assertThat(context.getBean(AppStore.class).findByKey(warmup.app().key()).blockOptional(Duration.ofSeconds(5)))
                    .isEmpty();
            assertThat(context.getBean(AppStore.class).findById(id).blockOptional(Duration.ofSeconds(5))).isEmpty();
            assertThatThrownBy(() -> OfficialClient.connect(warmup.app().key(), port(context)))
                    .hasStackTraceContaining("connection refused: 4001");

            // one real connection, counted once the flusher ran: the usage of the node is that one only
            try (OfficialClient client = OfficialClient.connect("demo-key", port(context))) {
                UsageStore store = context.getBean(UsageStore.class);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        total(store, UsageStore.CLUSTER).get(UsageQuantity.CONNECTIONS_OPENED)).isPositive());
                UsageCounts cluster = total(store, UsageStore.CLUSTER);
                assertThat(cluster.get(UsageQuantity.CONNECTIONS_OPENED)).isEqualTo(1);
                assertThat(cluster.get(UsageQuantity.MESSAGES_PUBLISHED)).isZero();
                assertThat(cluster.get(UsageQuantity.MESSAGES_DELIVERED)).isZero();
                assertThat(cluster.get(UsageQuantity.API_REQUESTS)).isZero();
                UsageCounts ofWarmup = total(store, id);
                assertThat(ofWarmup.get(UsageQuantity.CONNECTIONS_OPENED)).isZero();
                assertThat(ofWarmup.get(UsageQuantity.MESSAGES_PUBLISHED)).isZero();
                assertThat(ofWarmup.get(UsageQuantity.API_REQUESTS)).isZero();
            }
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.find("herald.connections").tag("app_id", "demo-app").meters()).isNotEmpty();
            assertThat(meters.getMeters()).noneMatch(m -> id.equals(m.getId().getTag("app_id")));
        }
    }

    private static UsageCounts total(UsageStore store, String app) {
        return store.read(app, Instant.now(), Instant.now().plusSeconds(1), UsageStep.DAY).block(Duration.ofSeconds(30))
                .total();
    }

    @Test
    void turnedOffThereIsNoWarmUpAndTheAppStoreIsTheNodesOwn() {
        try (ConfigurableApplicationContext context = start(false)) {
            assertThat(finishedAtReadiness.get()).isFalse();
            assertThat(atReadiness.get()).isEmpty();
            assertThat(context.getBeanProvider(WarmupApp.class).getIfAvailable()).isNull();
            assertThat(context.getBean("appStore").getClass().getSimpleName()).isNotEqualTo("WarmupAppStore");
        }
    }
}
