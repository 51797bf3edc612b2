package io.herald.standalone.warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Warms the handshake and subscribe path before the server reports ready: loopback WebSocket
 * connections to this server's own port, each through the whole path a client takes (HTTP
 * upgrade, app lookup, {@code pusher:connection_established}, {@code pusher:subscribe},
 * {@code pusher:ping}, close), with the internal {@link WarmupApp}.
 *
 * <p>Why: a fresh JVM interprets that path and then compiles it; on a node with one core the JIT
 * competes with the event loops for the same CPU, so the first thousands of real connections
 * each waited hundreds of milliseconds. Running the path here moves that compilation before
 * readiness. It is an {@link ApplicationRunner}: Spring Boot reports readiness
 * ({@code ACCEPTING_TRAFFIC}) only after the runners returned, so {@code /actuator/health} stays
 * 503 until the warm-up ended. Bounded by {@link WarmupProperties#connections()} and
 * {@link WarmupProperties#maxDuration()}; a failing warm-up is logged and never stops the start.
 */
public final class HandshakeWarmup implements ApplicationRunner, ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(HandshakeWarmup.class);

    /** Bounds one warm-up connection; a connection that hangs must not hold the start. */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    private final WarmupApp warmup;
    private final WarmupProperties properties;
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile String lastFailure;
    private volatile int port = -1;
    private volatile boolean finished;

    HandshakeWarmup(WarmupApp warmup, WarmupProperties properties) {
        this.warmup = warmup;
        this.properties = properties;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        // The main server only: a management server on its own port has a namespace.
        if (event.getApplicationContext().getServerNamespace() == null) {
            port = event.getWebServer().getPort();
        }
    }

    /** Connections that went the whole way (subscribed and answered a ping). */
    public int completed() {
        return completed.get();
    }

    /** Whether the warm-up has ended (or was skipped). */
    public boolean finished() {
        return finished;
    }

    @Override
    public void run(ApplicationArguments args) {
        try {
            if (port <= 0 || properties.connections() == 0) {
                return;
            }
            long start = System.nanoTime();
            warmup.active(true);
            LoopResources loops = LoopResources.create("herald-warmup", 1, true);
            try {
                HttpClient client = HttpClient.create(ConnectionProvider.newConnection()).runOn(loops);
                long deadline = start + properties.maxDuration().toNanos();
                Flux.range(0, properties.connections())
                        .takeWhile(i -> System.nanoTime() < deadline)
                        .flatMap(i -> connect(client, i), properties.concurrency())
                        .then()
                        .block(properties.maxDuration().plus(CONNECTION_TIMEOUT));
            }
            catch (RuntimeException ex) {
                log.warn("Start-up warm-up ended early: {}", ex.toString());
            }
            finally {
                warmup.active(false);
                loops.disposeLater(Duration.ZERO, Duration.ofSeconds(1)).block(Duration.ofSeconds(3));
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (failed.get() == 0) {
                log.info("Start-up warm-up: {} loopback connections in {} ms", completed.get(), millis);
            }
            else {
                log.info("Start-up warm-up: {} loopback connections in {} ms, {} failed (the last: {})",
                        completed.get(), millis, failed.get(), lastFailure);
            }
        }
        finally {
            finished = true;
        }
    }

    private Mono<Void> connect(HttpClient client, int i) {
        String uri = "ws://127.0.0.1:" + port + "/app/" + warmup.app().key()
                + "?protocol=7&client=herald-warmup&version=1.0";
        String subscribe = "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"warmup-" + (i % 4) + "\"}}";
        return client.websocket().uri(uri).handle((in, out) -> converse(in, out, subscribe))
                .then()
                .timeout(CONNECTION_TIMEOUT)
                .onErrorResume(ex -> {
                    failed.incrementAndGet();
                    lastFailure = ex.toString();
                    return Mono.empty();
                });
    }

    /** Subscribes once the connection is established, pings once subscribed, closes on the pong. */
    private Mono<Void> converse(WebsocketInbound in, WebsocketOutbound out, String subscribe) {
        Sinks.Many<String> toServer = Sinks.many().unicast().onBackpressureBuffer();
        Mono<Void> reading = in.receive().asString().doOnNext(text -> {
            if (text.contains("\"pusher:connection_established\"")) {
                toServer.tryEmitNext(subscribe);
            }
            else if (text.contains("\"pusher_internal:subscription_succeeded\"")) {
                toServer.tryEmitNext("{\"event\":\"pusher:ping\",\"data\":{}}");
            }
            else if (text.contains("\"pusher:pong\"")) {
                completed.incrementAndGet();
                toServer.tryEmitComplete();
            }
        }).then();
        Mono<Void> writing = out.sendString(toServer.asFlux()).then()
                .then(Mono.defer(() -> out.sendClose(1000, "warm-up done")));
        return Mono.when(writing, reading);
    }
}
