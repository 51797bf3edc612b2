package io.herald.edge.warmup;

import io.herald.core.warmup.WarmupContext;
import io.herald.core.warmup.WarmupProperties;
import io.herald.core.warmup.WarmupRounds;
import io.herald.core.warmup.WarmupTask;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;

/**
 * The edge's start-up warm-up: loopback WebSocket connections to this server's own port, each
 * through the whole path a client takes (HTTP upgrade, app lookup,
 * {@code pusher:connection_established}, {@code pusher:subscribe}, {@code pusher:ping}, close),
 * with the internal warm-up app. Through the real port, so it warms whatever serves the upgrade.
 * Bounded by {@code herald.warmup.connections} and {@code herald.warmup.max-duration}; a round is
 * whole when the pong came (a connection the server closed early is a failed one).
 */
public final class HandshakeWarmup implements WarmupTask {

    private final WarmupProperties properties;

    public HandshakeWarmup(WarmupProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "handshake";
    }

    /** First: a publish warm-up on the same node subscribes through this path too. */
    @Override
    public int getOrder() {
        return 0;
    }

    @Override
    public WarmupRounds run(WarmupContext context) {
        HttpClient client = HttpClient.create(ConnectionProvider.newConnection()).runOn(context.loops());
        String uri = "ws://127.0.0.1:" + context.port() + "/app/" + context.app().key()
                + "?protocol=7&client=herald-warmup&version=1.0";
        return context.rounds(properties.connections(), properties.concurrency(), properties.maxDuration(),
                i -> {
                    AtomicBoolean ponged = new AtomicBoolean();
                    return client.websocket().uri(uri)
                            .handle((in, out) -> converse(in, out, "warmup-" + (i % 4), ponged))
                            .then(Mono.fromSupplier(ponged::get));
                });
    }

    /** Subscribes once the connection is established, pings once subscribed, closes on the pong. */
    private static Mono<Void> converse(WebsocketInbound in, WebsocketOutbound out, String channel,
            AtomicBoolean ponged) {
        String subscribe = "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}";
        Sinks.Many<String> toServer = Sinks.many().unicast().onBackpressureBuffer();
        Mono<Void> reading = in.receive().asString().doOnNext(text -> {
            if (text.contains("\"pusher:connection_established\"")) {
                toServer.tryEmitNext(subscribe);
            }
            else if (text.contains("\"pusher_internal:subscription_succeeded\"")) {
                toServer.tryEmitNext("{\"event\":\"pusher:ping\",\"data\":{}}");
            }
            else if (text.contains("\"pusher:pong\"")) {
                ponged.set(true);
                toServer.tryEmitComplete();
            }
        }).then();
        Mono<Void> writing = out.sendString(toServer.asFlux()).then()
                .then(Mono.defer(() -> out.sendClose(1000, "warm-up done")));
        return Mono.when(writing, reading);
    }
}
