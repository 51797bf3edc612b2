package io.herald.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A stand-in for nginx + nchan as {@code bench/peers/nchan} configures it, for the load tool's
 * {@code --protocol nchan}: {@code GET /sub/{channel}} upgrades to a WebSocket that is subscribed
 * from the handshake on and receives every body posted to {@code POST /pub/{channel}} as one text
 * frame; the publish answers 202 like nchan, and nothing is stored.
 */
final class FakeNchanServer implements AutoCloseable {

    final AtomicLong published = new AtomicLong();
    private final Map<String, Set<Sinks.Many<String>>> channels = new ConcurrentHashMap<>();
    private DisposableServer server;

    FakeNchanServer start() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes
                        .get("/sub/{channel}", (req, res) -> res.sendWebsocket((in, out) -> {
                            Sinks.Many<String> sink = Sinks.many().unicast().onBackpressureBuffer();
                            Set<Sinks.Many<String>> subscribers =
                                    channels.computeIfAbsent(req.param("channel"), c -> ConcurrentHashMap.newKeySet());
                            subscribers.add(sink);
                            return Mono.firstWithSignal(in.receive().then(), out.sendString(sink.asFlux()).then())
                                    .doFinally(s -> subscribers.remove(sink));
                        }))
                        .post("/pub/{channel}", (req, res) -> req.receive().aggregate().asString(StandardCharsets.UTF_8)
                                .defaultIfEmpty("")
                                .flatMap(body -> {
                                    published.incrementAndGet();
                                    for (Sinks.Many<String> sink : channels.getOrDefault(req.param("channel"), Set.of())) {
                                        synchronized (sink) {
                                            sink.tryEmitNext(body);
                                        }
                                    }
                                    return res.status(202).sendString(Mono.just("queued messages: 0\n")).then();
                                })))
                .bindNow();
        return this;
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.disposeNow();
        }
    }
}
