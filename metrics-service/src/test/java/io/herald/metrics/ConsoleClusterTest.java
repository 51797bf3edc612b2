package io.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.debug.DebugEvent;
import io.herald.core.debug.redis.RedisDebugConsole;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * The debug console in a cluster: metrics-service on its own with the state Redis serves the
 * stream, and an emitting node (the Redis adapter an edge or publish node uses, with its own
 * connections) starts sending once the watch is announced, and stops when the stream closes.
 */
class ConsoleClusterTest {

    private static final String TOKEN = "console-cluster-admin-token";

    private RedisServer redis;
    private ConfigurableApplicationContext metrics;
    private RedisConnections edgeConnections;
    private RedisDebugConsole edge;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
        if (edgeConnections != null) {
            edgeConnections.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void anEdgeNodeSendsTheWatchedAppsEventsToTheConsoleOnMetricsService() throws Exception {
        redis = RedisServer.start();
        String prefix = RedisServer.uniquePrefix();
        metrics = MetricsServiceApplication.builder().run("--server.port=0", "--herald.auth.admin-token=" + TOKEN,
                "--herald.redis.state=" + redis.uri(), "--herald.redis.key-prefix=" + prefix,
                "--herald.apps[0].id=app-a", "--herald.apps[0].key=key-a", "--herald.apps[0].secret=secret-a",
                "--herald.debug.watch-ttl=2s", "--herald.debug.refresh-interval=200ms");
        int port = Integer.parseInt(metrics.getEnvironment().getProperty("local.server.port"));
        WebClient http = WebClient.create("http://127.0.0.1:" + port);
        edgeConnections = new RedisConnections(new RedisProperties(List.of(), prefix, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofMillis(200), redis.uri()));
        edge = new RedisDebugConsole(edgeConnections, Duration.ofSeconds(2), Duration.ofMillis(200), 64, 100,
                Clock.systemUTC(), Schedulers.parallel());

        String path = "/dashboard/api/apps/app-a/console";
        assertThat(http.get().uri(path).exchangeToMono(r -> Mono.just(r.statusCode().value()))
                .block(Duration.ofSeconds(30))).as("no token").isEqualTo(401);
        assertThat(edge.watched("app-a")).isFalse();

        BlockingQueue<ServerSentEvent<String>> received = new LinkedBlockingQueue<>();
        Disposable stream = http.get().uri(path + "?types=connection_opened")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
                })
                .subscribe(received::add);
        try {
            assertThat(received.poll(10, TimeUnit.SECONDS)).extracting(ServerSentEvent::comment).isEqualTo("watching");
            await().atMost(Duration.ofSeconds(30)).until(() -> edge.watched("app-a"));
            edge.emit(DebugEvent.subscribed("app-a", Instant.now(), "1.1", "filtered-out"));
            edge.emit(DebugEvent.connectionOpened("app-a", Instant.now(), "123.456"));
            ServerSentEvent<String> event;
            do {
                event = received.poll(10, TimeUnit.SECONDS);
                assertThat(event).as("the edge's event").isNotNull();
            }
            while (event.data() == null);
            assertThat(event.event()).isEqualTo("connection_opened");
            JsonNode data = PusherCodec.json().readTree(event.data());
            assertThat(data.get("socket_id").asString()).isEqualTo("123.456");
        }
        finally {
            stream.dispose();
        }
        // The stream closed: the watch ends and the edge stops sending.
        await().atMost(Duration.ofSeconds(30)).until(() -> !edge.watched("app-a"));
    }
}
