package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.edge.EdgeServiceApplication;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway leaving (its context closed, as on SIGTERM): its readiness refuses traffic at once, and
 * every WebSocket it proxies is closed with Pusher's 4200 (reconnect), which reaches the edge as
 * the client's close code. Official pusher-java-client clients through the gateway to a real edge.
 */
class GatewayDrainTest {

    static final String KEY = "gw-drain-key";

    RedisServer redis;
    ConfigurableApplicationContext edge;
    ConfigurableApplicationContext gateway;
    final List<Pusher> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        Map<String, Object> edgeProperties = new HashMap<>();
        edgeProperties.put("server.port", 0);
        edgeProperties.put("herald.apps[0].id", "gw-drain");
        edgeProperties.put("herald.apps[0].key", KEY);
        edgeProperties.put("herald.apps[0].secret", "gw-drain-secret");
        edgeProperties.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        edgeProperties.put("herald.redis.shards[0]", redis.uri().toString());
        edge = new SpringApplicationBuilder(EdgeServiceApplication.class).properties(EdgeServiceApplication.DEFAULTS)
                .properties(edgeProperties).initializers(ServerTesting::ownEventLoops).run();
        Map<String, Object> gatewayProperties = new HashMap<>();
        gatewayProperties.put("server.port", 0);
        gatewayProperties.put("herald.gateway.edges[0]", "http://127.0.0.1:" + ServerTesting.port(edge));
        gatewayProperties.put("herald.gateway.drain-period", "1s");
        gatewayProperties.put("herald.gateway.drain-timeout", "20s");
        gatewayProperties.put("spring.cloud.loadbalancer.health-check.interval", "200ms");
        gateway = GatewayApplication.builder().properties(gatewayProperties).initializers(ServerTesting::ownEventLoops)
                .run();
    }

    @AfterEach
    void stop() {
        clients.forEach(Pusher::disconnect);
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { gateway, edge }) {
            if (context != null) {
                context.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void everyProxiedWebSocketIsToldToReconnectAndTheEdgeSeesThe4200() throws Exception {
        int port = ServerTesting.port(gateway);
        List<CompletableFuture<Void>> reconnecting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CompletableFuture<Void> connected = new CompletableFuture<>();
            CompletableFuture<Void> toldToReconnect = new CompletableFuture<>();
            Pusher client = new Pusher(KEY, new PusherOptions().setHost("127.0.0.1").setWsPort(port).setUseTLS(false));
            clients.add(client);
            client.connect(new ConnectionEventListener() {
                @Override
                public void onConnectionStateChange(ConnectionStateChange change) {
                    if (change.getCurrentState() == ConnectionState.CONNECTED) {
                        connected.complete(null);
                    }
                    if (change.getCurrentState() == ConnectionState.RECONNECTING) {
                        toldToReconnect.complete(null);
                    }
                }

                @Override
                public void onError(String message, String code, Exception e) {
                }
            }, ConnectionState.ALL);
            connected.get(30, TimeUnit.SECONDS);
            reconnecting.add(toldToReconnect);
        }
        MeterRegistry edgeMeters = edge.getBean(MeterRegistry.class);
        ApplicationAvailability availability = gateway.getBean(ApplicationAvailability.class);

        gateway.close();

        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        for (CompletableFuture<Void> told : reconnecting) {
            told.get(30, TimeUnit.SECONDS);
        }
        // The client answered the gateway's 4200 with its own, which the gateway passed on to the edge.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Counter closed = edgeMeters.find(HeraldMeters.CONNECTIONS_CLOSED.meterName()).tag("code", "4200").counter();
            assertThat(closed).as("connections the edge saw closed with 4200").isNotNull();
            assertThat(closed.count()).isEqualTo(4);
        });
    }
}
