package io.herald.bench;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Publishes at a fixed rate through the HTTP API ({@code POST /apps/{id}/events}, signed).
 * The schedule is open-loop: message {@code seq} is due at {@code start + seq / rate}, whatever
 * the responses do, and its payload carries that due time, so a server that falls behind shows up
 * as latency (no coordinated omission). Requests are non-blocking; beyond
 * {@code --max-in-flight} unanswered requests a due message is counted as a publish error.
 */
final class Publisher implements AutoCloseable {

    /** Response of one publish. */
    record Response(int status, String body) {
    }

    private final Options options;
    private final ConnectionProvider pool;
    private final HttpClient http;
    private final String path;
    private final String padding;
    private final AtomicInteger inFlight = new AtomicInteger();

    Publisher(Options options, LoopResources loops) {
        this.options = options;
        this.pool = ConnectionProvider.builder("herald-bench-http")
                .maxConnections(options.httpConnections)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofSeconds(options.requestTimeoutSeconds))
                .build();
        this.http = HttpClient.create(pool)
                .runOn(loops)
                .baseUrl(options.baseHttpUrl())
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .responseTimeout(Duration.ofSeconds(options.requestTimeoutSeconds))
                .headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"));
        this.path = options.publishPath(options.channelOfMessage(0));
        this.padding = "x".repeat(options.payloadBytes);
    }

    /** One signed request with {@code data} as given; used as a pre-flight check of the credentials. */
    Mono<Response> post(String data) {
        return post(options.channelOfMessage(0), data);
    }

    /**
     * One publish of {@code data} to {@code channelName}: a signed Pusher HTTP API request, or in
     * {@code --protocol nchan} the bare body posted to nchan's publisher location.
     */
    Mono<Response> post(String channelName, String data) {
        String target = options.publishPath(channelName);
        byte[] body;
        String uri;
        if (options.protocol == Options.Protocol.NCHAN) {
            body = data.getBytes(StandardCharsets.UTF_8);
            uri = target;
        }
        else {
            body = Frames.eventBody(options.eventName, channelName, data).getBytes(StandardCharsets.UTF_8);
            uri = target + "?" + Signer.signedQuery(options.key, options.secret, "POST", target, body,
                    System.currentTimeMillis() / 1000);
        }
        return http.post()
                .uri(uri)
                .send((req, out) -> {
                    req.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
                    return out.sendByteArray(Mono.just(body));
                })
                .responseSingle((resp, content) -> content.asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .map(text -> new Response(resp.status().code(), text)))
                .timeout(Duration.ofSeconds(options.requestTimeoutSeconds));
    }

    /**
     * Checks that the server is reachable and accepts our signature, before any subscriber
     * connects. The probe's data is not a bench payload, so nobody counts it.
     */
    void preflight() {
        Response response;
        try {
            response = post("{\"probe\":true}").block(Duration.ofSeconds(options.requestTimeoutSeconds + 2));
        }
        catch (RuntimeException ex) {
            throw new BenchException("cannot reach the HTTP API at " + options.baseHttpUrl() + path + ": "
                    + BenchException.describe(ex) + ". Is the Herald server running on "
                    + options.host + ":" + options.port + "?", ex);
        }
        if (response == null) {
            throw new BenchException("no response from " + options.baseHttpUrl() + path);
        }
        int status = response.status();
        if (status / 100 == 2) {
            return;
        }
        String hint = switch (status) {
            case 401 -> " The signature was rejected: --key and --secret must match the app on the server"
                    + " (and the clocks must agree within 600 s).";
            case 404 -> " Unknown app or path: --app-id must match the app on the server.";
            case 403 -> " The app is disabled or over its message quota.";
            default -> "";
        };
        throw new BenchException("pre-flight publish to " + options.baseHttpUrl() + path + " got HTTP " + status
                + ": " + abbreviate(response.body()) + "." + hint);
    }

    /**
     * Publishes {@code run.total} messages at {@code run.rate}; returns when the last one is
     * sent (not answered). Bounded: the loop runs {@code run.total} times and never waits past
     * the last due time.
     */
    void publish(RunState run) {
        double periodNanos = 1_000_000_000.0 / run.rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        run.measureStartNanos = start + (long) (run.warmup * periodNanos);
        for (int seq = 0; seq < run.total; seq++) {
            long due = start + (long) (seq * periodNanos);
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            if (seq == run.warmup) {
                run.markMeasureStart();
            }
            long lag = now - due;
            if (lag > run.maxPublishLagNanos.get()) {
                run.maxPublishLagNanos.set(lag);
            }
            run.publishAttempts.increment();
            if (inFlight.get() >= options.maxInFlight) {
                run.publishFailed(seq, "client: " + options.maxInFlight
                        + " publishes already awaiting a response (--max-in-flight)");
                continue;
            }
            send(run, seq, due);
        }
    }

    private void send(RunState run, int seq, long due) {
        inFlight.incrementAndGet();
        long t0 = System.nanoTime();
        post(options.channelOfMessage(seq), Frames.payloadJson(run.id, seq, due, padding))
                .doFinally(signal -> inFlight.decrementAndGet())
                .subscribe(response -> {
                    if (response.status() / 100 == 2) {
                        run.acknowledge(seq);
                        long micros = (System.nanoTime() - t0) / 1000;
                        run.publishLatency.recordValue(Math.min(Math.max(0, micros), RunState.HIGHEST_MICROS));
                    }
                    else {
                        run.publishFailed(seq, "HTTP " + response.status() + " " + abbreviate(response.body()));
                    }
                }, error -> run.publishFailed(seq, BenchException.describe(error)));
    }

    /** Waits until every request has been answered or has timed out; bounded. */
    boolean awaitIdle() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.requestTimeoutSeconds + 2L);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return inFlight.get() == 0;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }

    @Override
    public void close() {
        pool.disposeLater().block(Duration.ofSeconds(5));
    }
}
