package io.herald.standalone.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.app.AppStore;
import io.herald.core.testing.OfficialClient;
import io.herald.core.usage.UsageCounts;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import io.herald.standalone.HeraldStandaloneApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The start-up warm-up: readiness comes after it ended, and its connections leave no trace in
 * usage, metrics or the app store once the server is up.
 */
class HandshakeWarmupTest {

    /** What the warm-up had done when the server reported ready, as {@code "finished/completed"}. */
    private final AtomicReference<String> atReadiness = new AtomicReference<>();

    /** @param enabled on as shipped; this module's test resources turn it off for the other tests */
    private ConfigurableApplicationContext start(boolean enabled) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--herald.usage.flush-interval=100ms",
                "--herald.warmup.enabled=" + enabled, "--herald.warmup.connections=40", "--herald.warmup.concurrency=4"));
        ApplicationListener<AvailabilityChangeEvent<?>> readiness = event -> {
            if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
                ApplicationContext context = (ApplicationContext) event.getSource();
                HandshakeWarmup warmup = context.getBeanProvider(HandshakeWarmup.class).getIfAvailable();
                atReadiness.set(warmup == null ? "none" : warmup.finished() + "/" + warmup.completed());
            }
        };
        return new SpringApplicationBuilder(HeraldStandaloneApplication.class).listeners(readiness)
                .run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void readinessComesAfterTheWarmUpWentThroughTheWholePath() {
        try (ConfigurableApplicationContext context = start(true)) {
            // it had ended, and connections had been established, subscribed and answered a ping
            String[] finishedCompleted = atReadiness.get().split("/");
            assertThat(finishedCompleted[0]).isEqualTo("true");
            assertThat(Integer.parseInt(finishedCompleted[1])).isPositive();
        }
    }

    @Test
    void theWarmUpAppIsUnknownOnceUpAndLeavesNoUsageNorMeters() throws Exception {
        try (ConfigurableApplicationContext context = start(true)) {
            WarmupApp warmup = context.getBean(WarmupApp.class);
            String id = warmup.app().id();
            assertThat(context.getBean(AppStore.class).findByKey(warmup.app().key()).blockOptional(Duration.ofSeconds(5)))
                    .isEmpty();
            assertThatThrownBy(() -> OfficialClient.connect(warmup.app().key(), port(context)))
                    .hasStackTraceContaining("connection refused: 4001");

            // one real connection, counted once the flusher ran: the usage of the node is that one only
            try (OfficialClient client = OfficialClient.connect("demo-key", port(context))) {
                UsageStore store = context.getBean(UsageStore.class);
                UsageCounts cluster = null;
                for (int i = 0; i < 100; i++) {
                    cluster = store.read(UsageStore.CLUSTER, Instant.now(), Instant.now().plusSeconds(1),
                            UsageStep.DAY).block(Duration.ofSeconds(5)).total();
                    if (cluster.get(UsageQuantity.CONNECTIONS_OPENED) > 0) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertThat(cluster.get(UsageQuantity.CONNECTIONS_OPENED)).isEqualTo(1);
                UsageCounts ofWarmup = store.read(id, Instant.now(), Instant.now().plusSeconds(1), UsageStep.DAY)
                        .block(Duration.ofSeconds(5)).total();
                assertThat(ofWarmup.get(UsageQuantity.CONNECTIONS_OPENED)).isZero();
            }
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.find("herald.connections").tag("app_id", "demo-app").meters()).isNotEmpty();
            assertThat(meters.getMeters()).noneMatch(m -> id.equals(m.getId().getTag("app_id")));
        }
    }

    @Test
    void turnedOffThereIsNoWarmUpAndTheAppStoreIsTheNodesOwn() {
        try (ConfigurableApplicationContext context = start(false)) {
            assertThat(atReadiness.get()).isEqualTo("none");
            assertThat(context.getBeanProvider(WarmupApp.class).getIfAvailable()).isNull();
            assertThat(context.getBean("appStore")).isNotInstanceOf(WarmupAppStore.class);
        }
    }
}
