package io.herald.bench;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;

/**
 * A throwaway, in-memory stand-in for Herald's standalone server, just enough of the Pusher
 * protocol for the load tool: {@code /app/{key}} WebSockets with connection_established,
 * subscribe, ping/pong, and a signed {@code POST /apps/{id}/events} that fans out. It can drop or
 * duplicate deliveries to the first subscribed connection, to exercise the tool's accounting.
 */
final class FakePusherServer implements AutoCloseable {

    final String appId;
    final String key;
    final String secret;
    /** The key WebSocket connections must use; normally {@link #key}. */
    volatile String wsKey;
    /** Drop every n-th delivery to the first subscriber (0 = never). */
    volatile int dropEvery;
    /** Duplicate every n-th delivery to the first subscriber (0 = never). */
    volatile int duplicateEvery;
    final AtomicLong pongs = new AtomicLong();
    final AtomicLong published = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();

    private final Set<Conn> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger subscribedOrder = new AtomicInteger();
    private DisposableServer server;

    FakePusherServer(String appId, String key, String secret) {
        this.appId = appId;
        this.key = key;
        this.secret = secret;
        this.wsKey = key;
    }

    FakePusherServer start() {
        return start(0);
    }

    FakePusherServer start(int port) {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .route(routes -> routes
                        .get("/app/{key}", (req, res) -> {
                            if (!wsKey.equals(req.param("key"))) {
                                return res.sendWebsocket((in, out) -> out.sendClose(4001, "Application does not exist"));
                            }
                            return res.sendWebsocket((in, out) -> {
                                Conn conn = new Conn(ids.incrementAndGet());
                                connections.add(conn);
                                conn.emit("{\"event\":\"pusher:connection_established\",\"data\":"
                                        + quote("{\"socket_id\":\"1." + conn.id + "\",\"activity_timeout\":120}") + "}");
                                Mono<Void> inbound = in.receive().asString().doOnNext(text -> conn.onText(text)).then();
                                Mono<Void> outbound = out.sendString(conn.sink.asFlux()).then();
                                return Mono.firstWithSignal(inbound, outbound)
                                        .doFinally(s -> connections.remove(conn));
                            });
                        })
                        .post("/apps/{id}/events", (req, res) -> req.receive().aggregate().asString(StandardCharsets.UTF_8)
                                .defaultIfEmpty("")
                                .flatMap(body -> {
                                    int status = publish(req.param("id"), req.uri(), body);
                                    return res.status(HttpResponseStatus.valueOf(status))
                                            .header("Content-Type", "application/json")
                                            .sendString(Mono.just(status == 200 ? "{}" : "{\"error\":\"rejected\"}"))
                                            .then();
                                })))
                .bindNow();
        return this;
    }

    /**
     * Runs the fake on 127.0.0.1 with the demo app, to try the tool by hand:
     * {@code java -cp <test classpath> io.herald.bench.FakePusherServer [port] [seconds]}.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 6001;
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 600;
        FakePusherServer fake = new FakePusherServer("demo-app", "demo-key", "demo-secret");
        fake.start(port);
        System.out.println("fake Pusher server on 127.0.0.1:" + fake.port() + " for " + seconds + " s");
        Thread.sleep(seconds * 1000);
        fake.close();
    }

    int port() {
        return server.port();
    }

    private int publish(String id, String uri, String body) {
        if (!appId.equals(id)) {
            rejected.incrementAndGet();
            return 404;
        }
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        Map<String, String> params = new LinkedHashMap<>();
        decoder.parameters().forEach((k, v) -> params.put(k, v.get(0)));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean ok = key.equals(params.get("auth_key"))
                && "1.0".equals(params.get("auth_version"))
                && Signer.md5Hex(bytes).equals(params.get("body_md5"))
                && Signer.sign(secret, "POST", decoder.path(), params).equals(params.get("auth_signature"));
        if (!ok) {
            rejected.incrementAndGet();
            return 401;
        }
        JsonNode event = Frames.MAPPER.readTree(body);
        String channel = event.get("channel").asString();
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("event", event.get("name").asString());
        frame.put("channel", channel);
        frame.put("data", event.get("data").asString());
        String text = Frames.MAPPER.writeValueAsString(frame);
        published.incrementAndGet();
        for (Conn conn : connections) {
            if (conn.channels.contains(channel)) {
                conn.deliver(text);
            }
        }
        return 200;
    }

    private static String quote(String s) {
        return Frames.MAPPER.writeValueAsString(s);
    }

    @Override
    public void close() {
        if (server != null) {
            server.disposeNow();
        }
    }

    private final class Conn {
        final int id;
        final Sinks.Many<String> sink = Sinks.many().unicast().onBackpressureBuffer();
        final Set<String> channels = ConcurrentHashMap.newKeySet();
        volatile int order = -1;
        long deliveries;

        Conn(int id) {
            this.id = id;
        }

        void onText(String text) {
            JsonNode frame = Frames.MAPPER.readTree(text);
            String event = frame.get("event").asString();
            if (event.equals("pusher:subscribe")) {
                String channel = frame.get("data").get("channel").asString();
                channels.add(channel);
                order = subscribedOrder.getAndIncrement();
                emit("{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":" + quote(channel)
                        + ",\"data\":\"{}\"}");
                emit("{\"event\":\"pusher:ping\",\"data\":{}}");
            }
            else if (event.equals("pusher:pong")) {
                pongs.incrementAndGet();
            }
        }

        synchronized void deliver(String text) {
            deliveries++;
            if (order == 0 && dropEvery > 0 && deliveries % dropEvery == 0) {
                return;
            }
            emit(text);
            if (order == 0 && duplicateEvery > 0 && deliveries % duplicateEvery == 0) {
                emit(text);
            }
        }

        synchronized void emit(String text) {
            sink.tryEmitNext(text);
        }
    }
}
