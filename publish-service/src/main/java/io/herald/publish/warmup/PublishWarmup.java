package io.herald.publish.warmup;

import io.herald.core.app.App;
import io.herald.core.signature.Hmac;
import io.herald.core.signature.RequestSignature;
import io.herald.core.warmup.WarmupContext;
import io.herald.core.warmup.WarmupProperties;
import io.herald.core.warmup.WarmupRounds;
import io.herald.core.warmup.WarmupTask;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The publish role's start-up warm-up: signed {@code POST /apps/{id}/events} of the warm-up app to
 * this server's own port over kept-alive loopback connections, the request a publisher sends
 * (signature check, JSON parse, quotas, the broker's publish, the answer). Through the real port,
 * so it warms whatever serves the HTTP API. With the edge role in the same process (the
 * standalone server) it first subscribes one loopback WebSocket connection to each channel it
 * publishes to, so the local fan-out and the frame writes are warmed too.
 *
 * <p>On a node on Redis the publishes go to the broker like any other: a Redis PUBLISH to the
 * channel of an app id that is random per start and known to this node only, so no other node is
 * subscribed to it and Redis drops it (and with the edge role in the same process, only this
 * node's own warm-up subscribers receive it). Bounded by {@code herald.warmup.publishes} and
 * {@code herald.warmup.publish-max-duration}; ends early once the compilers went quiet.
 */
public final class PublishWarmup implements WarmupTask {

    private static final Logger log = LoggerFactory.getLogger(PublishWarmup.class);

    /** Channels published to round-robin; with the edge role, one subscriber each. */
    static final int CHANNELS = 16;

    private final WarmupProperties properties;
    private final boolean withSubscribers;
    private final Clock clock;
    private final AtomicLong delivered = new AtomicLong();

    /**
     * @param withSubscribers whether this process also runs the edge role, so the warm-up can
     *        subscribe to what it publishes
     */
    public PublishWarmup(WarmupProperties properties, boolean withSubscribers, Clock clock) {
        this.properties = properties;
        this.withSubscribers = withSubscribers;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "publish";
    }

    @Override
    public int getOrder() {
        return 1;
    }

    /** Events the warm-up's own subscribers received (0 without the edge role). */
    public long delivered() {
        return delivered.get();
    }

    @Override
    public WarmupRounds run(WarmupContext context) {
        App app = context.app();
        List<Disposable> subscribers = new ArrayList<>();
        ConnectionProvider pool = ConnectionProvider.builder("herald-warmup-publish")
                .maxConnections(properties.publishConcurrency()).pendingAcquireMaxCount(-1).build();
        try {
            if (withSubscribers) {
                subscribe(context, subscribers);
            }
            HttpClient client = HttpClient.create(pool).runOn(context.loops())
                    .baseUrl("http://127.0.0.1:" + context.port())
                    .headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON));
            String path = "/apps/" + app.id() + "/events";
            return context.rounds(properties.publishes(), properties.publishConcurrency(),
                    properties.publishMaxDuration(), i -> {
                        byte[] body = ("{\"name\":\"warmup\",\"channel\":\"warmup-p-" + (i % CHANNELS)
                                + "\",\"data\":\"{\\\"n\\\":" + i + "}\"}").getBytes(StandardCharsets.UTF_8);
                        return client.post().uri(path + query(app, path, body))
                                .send(ByteBufFlux.fromInbound(Mono.just(body)))
                                .responseSingle((response, content) -> content.asString().defaultIfEmpty("")
                                        .map(text -> response.status().code() == 200));
                    });
        }
        finally {
            subscribers.forEach(Disposable::dispose);
            pool.disposeLater().block(Duration.ofSeconds(3));
        }
    }

    /** The signed query of one publish, as a publisher's library builds it. */
    private String query(App app, String path, byte[] body) {
        Map<String, String> params = new TreeMap<>();
        params.put("auth_key", app.key());
        params.put("auth_timestamp", String.valueOf(clock.instant().getEpochSecond()));
        params.put("auth_version", "1.0");
        params.put("body_md5", Hmac.md5Hex(body));
        params.put("auth_signature", RequestSignature.sign(app.secret(), "POST", path, params));
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.isEmpty() ? '?' : '&').append(k).append('=').append(v));
        return query.toString();
    }

    /** Opens one subscriber per channel and waits (bounded) until each is subscribed. */
    private void subscribe(WarmupContext context, List<Disposable> subscribers) {
        HttpClient client = HttpClient.create(ConnectionProvider.newConnection()).runOn(context.loops());
        String uri = "ws://127.0.0.1:" + context.port() + "/app/" + context.app().key()
                + "?protocol=7&client=herald-warmup&version=1.0";
        List<Mono<Void>> subscribed = new ArrayList<>();
        for (int c = 0; c < CHANNELS; c++) {
            String subscribe = "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"warmup-p-" + c + "\"}}";
            Sinks.Empty<Void> ready = Sinks.empty();
            subscribed.add(ready.asMono());
            subscribers.add(client.websocket().uri(uri).handle((in, out) -> {
                Sinks.Many<String> toServer = Sinks.many().unicast().onBackpressureBuffer();
                Mono<Void> reading = in.receive().asString().doOnNext(text -> {
                    if (text.contains("\"pusher:connection_established\"")) {
                        toServer.tryEmitNext(subscribe);
                    }
                    else if (text.contains("\"pusher_internal:subscription_succeeded\"")) {
                        ready.tryEmitEmpty();
                    }
                    else if (text.contains("\"warmup\"")) {
                        delivered.incrementAndGet();
                    }
                }).then();
                return Mono.when(out.sendString(toServer.asFlux()).then(), reading);
            }).subscribe(null, ex -> ready.tryEmitError(ex)));
        }
        try {
            Flux.merge(subscribed).then().block(WarmupContext.ROUND_TIMEOUT);
        }
        catch (RuntimeException ex) {
            // The publishes still warm the HTTP API; only the fan-out is left cold.
            log.debug("Warm-up subscribers not all subscribed: {}", ex.toString());
        }
    }
}
