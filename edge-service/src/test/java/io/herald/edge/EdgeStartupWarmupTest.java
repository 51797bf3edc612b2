package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.testing.RedisServer;
import io.herald.core.warmup.StartupWarmup;
import io.herald.core.warmup.WarmupApp;
import io.herald.core.warmup.WarmupRounds;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/** An edge node on Redis warms the handshake and subscribe before it reports ready, and only that. */
class EdgeStartupWarmupTest {

    @Test
    void anEdgeNodeReportsReadyAfterItWarmedTheHandshakeAndSubscribeOnly() {
        AtomicReference<Map<String, WarmupRounds>> atReadiness = new AtomicReference<>();
        ApplicationListener<AvailabilityChangeEvent<?>> readiness = event -> {
            if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
                StartupWarmup warmup = ((ApplicationContext) event.getSource()).getBean(StartupWarmup.class);
                atReadiness.set(warmup.finished() ? warmup.results() : Map.of());
            }
        };
        try (RedisServer redis = RedisServer.start()) {
            Map<String, Object> props = new HashMap<>(EdgeServiceApplication.DEFAULTS);
            props.put("herald.redis.shards[0]", redis.uri().toString());
            props.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
            // arguments: this module's test resources turn the warm-up off
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(EdgeServiceApplication.class)
                    .properties(props).listeners(readiness).run("--server.port=0", "--herald.warmup.enabled=true",
                            "--herald.warmup.connections=20", "--herald.warmup.concurrency=4",
                            "--herald.warmup.quiet-compilation=0s")) {
                assertThat(atReadiness.get()).containsOnlyKeys("handshake");
                WarmupRounds handshake = atReadiness.get().get("handshake");
                assertThat(handshake.completed()).as(String.valueOf(handshake)).isPositive();
                String id = context.getBean(WarmupApp.class).app().id();
                assertThat(context.getBean(MeterRegistry.class).getMeters())
                        .noneMatch(m -> id.equals(m.getId().getTag("app_id")));
            }
        }
    }
}
