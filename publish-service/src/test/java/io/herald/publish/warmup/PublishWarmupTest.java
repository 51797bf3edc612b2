package io.herald.publish.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.warmup.StartupWarmup;
import io.herald.core.warmup.WarmupApp;
import io.herald.core.warmup.WarmupRounds;
import io.herald.publish.PublishServiceApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A publish node on its own warms the signed publish before it reports ready, and only that (no
 * edge role here, so no handshake and no subscribers); its meters show nothing of it.
 */
class PublishWarmupTest {

    @Test
    void aPublishNodeReportsReadyAfterItWarmedTheSignedPublish() {
        AtomicReference<Map<String, WarmupRounds>> atReadiness = new AtomicReference<>();
        ApplicationListener<AvailabilityChangeEvent<?>> readiness = event -> {
            if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
                StartupWarmup warmup = ((ApplicationContext) event.getSource()).getBean(StartupWarmup.class);
                atReadiness.set(warmup.finished() ? warmup.results() : Map.of());
            }
        };
        try (ConfigurableApplicationContext context = PublishServiceApplication.builder().listeners(readiness)
                .run("--server.port=0", "--herald.warmup.enabled=true", "--herald.warmup.publishes=100",
                        "--herald.warmup.publish-concurrency=4", "--herald.warmup.quiet-compilation=0s")) {
            assertThat(atReadiness.get()).containsOnlyKeys("publish");
            WarmupRounds publish = atReadiness.get().get("publish");
            assertThat(publish.completed()).as(String.valueOf(publish)).isPositive();
            assertThat(context.getBean(PublishWarmup.class).delivered()).isZero();
            String id = context.getBean(WarmupApp.class).app().id();
            assertThat(context.getBean(MeterRegistry.class).getMeters())
                    .noneMatch(m -> id.equals(m.getId().getTag("app_id")));
        }
    }
}
