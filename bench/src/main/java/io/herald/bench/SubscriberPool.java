package io.herald.bench;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * N WebSocket subscribers on one channel, all on the shared event loop. Each connects to
 * {@code /app/{key}}, waits for {@code pusher:connection_established}, subscribes, and waits for
 * {@code pusher_internal:subscription_succeeded}; it answers {@code pusher:ping} with
 * {@code pusher:pong} and hands every bench payload of the current run to {@link RunState}.
 */
final class SubscriberPool implements AutoCloseable {

    private final Options options;
    private final HttpClient client;
    /** The client of the probe subscribers ({@code --probe-subscribers}), on a loop of their own. */
    private final HttpClient probeClient;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger subscribed = new AtomicInteger();
    private final AtomicLong unexpectedCloses = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicReference<String> lastCloseReason = new AtomicReference<>();
    /** Per connection: from starting the connection to the subscription being confirmed, in µs. */
    private final Recorder connectLatency = new Recorder(RunState.HIGHEST_MICROS, 3);
    private Histogram connectHistogram;
    /**
     * The same per connection, one histogram per second of the connect phase in which the
     * connection was started: a cold server shows as slow first seconds. Guarded by {@code this}.
     */
    private final List<Histogram> connectBySecond = new ArrayList<>();
    private volatile long connectPhaseStartNanos;
    private volatile RunState run;
    private volatile boolean closing;

    SubscriberPool(Options options, LoopResources loops) {
        this(options, loops, loops);
    }

    /** @param probeLoops where the first {@code --probe-subscribers} subscribers run */
    SubscriberPool(Options options, LoopResources loops, LoopResources probeLoops) {
        this.options = options;
        this.client = client(loops);
        this.probeClient = probeLoops == loops ? client : client(probeLoops);
        for (int i = 0; i < options.subscribers; i++) {
            subscribers.add(new Subscriber(i));
        }
    }

    private static HttpClient client(LoopResources loops) {
        // One connection per subscriber: a pooled provider would cap the number of open sockets.
        return HttpClient.create(ConnectionProvider.newConnection())
                .runOn(loops)
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    void setRun(RunState run) {
        this.run = run;
    }

    int open() {
        return open.get();
    }

    int subscribed() {
        return subscribed.get();
    }

    long unexpectedCloses() {
        return unexpectedCloses.get();
    }

    long pingsAnswered() {
        return pings.get();
    }

    long serverErrors() {
        return serverErrors.get();
    }

    String lastCloseReason() {
        return lastCloseReason.get();
    }

    /** Connect + subscribe time of every connection of {@link #connectAll}, in µs; read after it returned. */
    synchronized Histogram connectHistogram() {
        if (connectHistogram == null) {
            connectHistogram = connectLatency.getIntervalHistogram();
        }
        return connectHistogram;
    }

    /** {@link #connectHistogram()} split by the second of the connect phase the connections were started in. */
    synchronized List<Histogram> connectHistogramsBySecond() {
        return List.copyOf(connectBySecond);
    }

    private synchronized void recordConnectBySecond(long startNanos, long micros) {
        int second = (int) Math.max(0, (startNanos - connectPhaseStartNanos) / 1_000_000_000L);
        while (connectBySecond.size() <= second) {
            connectBySecond.add(new Histogram(RunState.HIGHEST_MICROS, 3));
        }
        connectBySecond.get(second).recordValue(micros);
    }

    /**
     * Connects and subscribes every subscriber, at most {@code --connect-concurrency} handshakes
     * at once and {@code --connect-rate} new ones per second, within {@code --connect-timeout}.
     * The first failure ends the phase.
     */
    void connectAll(PrintStream progress) {
        int n = subscribers.size();
        connectPhaseStartNanos = System.nanoTime();
        Flux<Integer> indices = Flux.range(0, n);
        if (options.connectRate > 0) {
            Duration gap = Duration.ofNanos(Math.max(1, 1_000_000_000L / options.connectRate));
            indices = Flux.concat(Mono.just(0), Flux.range(1, n - 1).delayElements(gap));
        }
        // The first failure stops new connections; the others' failures are kept, not dropped.
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        CompletableFuture<Void> all = indices
                .takeWhile(i -> firstError.get() == null)
                .flatMap(i -> Mono.fromFuture(subscribers.get(i).start(), true)
                        .onErrorResume(error -> {
                            firstError.compareAndSet(null, error);
                            return Mono.empty();
                        }), options.connectConcurrency)
                .then()
                .toFuture();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.connectTimeoutSeconds);
        long lastPrint = System.nanoTime();
        while (true) {
            try {
                all.get(200, TimeUnit.MILLISECONDS);
                if (firstError.get() != null) {
                    throw new BenchException(BenchException.describe(firstError.get()), firstError.get());
                }
                return;
            }
            catch (java.util.concurrent.TimeoutException ex) {
                long now = System.nanoTime();
                Throwable error = firstError.get();
                if (error != null) {
                    all.cancel(true);
                    throw new BenchException(BenchException.describe(error), error);
                }
                if (now >= deadline) {
                    all.cancel(true);
                    throw new BenchException(String.format(Locale.ROOT,
                            "only %d of %d subscribers connected and subscribed within %d s (--connect-timeout); "
                                    + "%d connections open", subscribed.get(), n, options.connectTimeoutSeconds,
                            open.get()));
                }
                if (now - lastPrint >= TimeUnit.SECONDS.toNanos(2)) {
                    progress.printf(Locale.ROOT, "  ... %d/%d subscribed (%d connections open)%n",
                            subscribed.get(), n, open.get());
                    lastPrint = now;
                }
            }
            catch (ExecutionException ex) {
                throw new BenchException(BenchException.describe(ex.getCause()), ex.getCause());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted while connecting");
            }
        }
    }

    /** Sends a close frame on every connection and waits (bounded) for them to end. */
    @Override
    public void close() {
        closing = true;
        for (Subscriber s : subscribers) {
            s.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (open.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Subscriber s : subscribers) {
            s.dispose();
        }
    }

    private final class Subscriber {

        private final int index;
        private final String channelName;
        private final String url;
        private volatile long startNanos;
        private final CompletableFuture<Void> subscribedFuture = new CompletableFuture<>();
        private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
        private volatile Disposable connection;
        private volatile WebSocketCloseStatus closeStatus;
        private volatile boolean isOpen;

        Subscriber(int index) {
            this.index = index;
            this.channelName = options.channelOfSubscriber(index);
            this.url = options.wsUrl(channelName);
        }

        CompletableFuture<Void> start() {
            startNanos = System.nanoTime();
            connection = (index < options.probeSubscribers ? probeClient : client)
                    .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build())
                    .uri(url)
                    .handle(this::handle)
                    .subscribe(null, this::onError, this::onComplete);
            return subscribedFuture;
        }

        private Mono<Void> handle(WebsocketInbound in, WebsocketOutbound out) {
            isOpen = true;
            open.incrementAndGet();
            in.receiveCloseStatus().subscribe(status -> closeStatus = status);
            if (options.protocol == Options.Protocol.NCHAN) {
                // nchan subscribes a WebSocket to the channel of its URL as part of the handshake.
                subscribedNow();
            }
            Mono<Void> inbound = in.aggregateFrames(1 << 20)
                    .receiveFrames()
                    .doOnNext(frame -> {
                        if (frame instanceof TextWebSocketFrame text) {
                            onText(text.text());
                        }
                    })
                    .then();
            Mono<Void> send = out.sendString(outbound.asFlux()).then()
                    .then(Mono.defer(() -> out.sendClose(1000, "herald-bench done")));
            return Mono.firstWithSignal(inbound, send);
        }

        private void subscribedNow() {
            // Count first: the main thread may read the count as soon as the future completes.
            if (!subscribedFuture.isDone()) {
                long micros = Math.min(RunState.HIGHEST_MICROS, Math.max(0, (System.nanoTime() - startNanos) / 1000));
                connectLatency.recordValue(micros);
                recordConnectBySecond(startNanos, micros);
                subscribed.incrementAndGet();
                subscribedFuture.complete(null);
            }
        }

        private void onText(String text) {
            long now = System.nanoTime();
            if (options.protocol == Options.Protocol.NCHAN) {
                // nchan sends each published body as it is: the bench payload itself.
                deliver(Frames.parsePayload(text), now);
                return;
            }
            Frames.Frame frame = Frames.parseFrame(text);
            if (frame == null || frame.event() == null) {
                return;
            }
            switch (frame.event()) {
                case "pusher:connection_established" -> emit(Frames.subscribe(channelName));
                case "pusher_internal:subscription_succeeded" -> {
                    if (channelName.equals(frame.channel())) {
                        subscribedNow();
                    }
                }
                case "pusher:ping" -> {
                    pings.incrementAndGet();
                    emit(Frames.PONG);
                }
                case "pusher:error" -> {
                    serverErrors.incrementAndGet();
                    subscribedFuture.completeExceptionally(
                            new BenchException("the server sent pusher:error " + frame.data()));
                }
                case "pusher:subscription_error" -> subscribedFuture.completeExceptionally(new BenchException(
                        "subscribing to " + channelName + " failed: " + frame.data()));
                default -> {
                    if (options.eventName.equals(frame.event()) && channelName.equals(frame.channel())) {
                        deliver(Frames.parsePayload(frame.data()), now);
                    }
                }
            }
        }

        private void deliver(Frames.Payload payload, long now) {
            RunState current = run;
            if (payload != null && current != null && payload.run() == current.id) {
                current.onDelivery(index, payload.seq(), payload.sentNanos(), now);
            }
        }

        private void emit(String text) {
            outbound.emitNext(text, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(200)));
        }

        private void onError(Throwable error) {
            ended();
            subscribedFuture.completeExceptionally(new BenchException(
                    "subscriber #" + index + " (" + url + "): " + BenchException.describe(error), error));
            if (!closing) {
                unexpectedCloses.incrementAndGet();
                lastCloseReason.set(BenchException.describe(error));
            }
        }

        private void onComplete() {
            ended();
            WebSocketCloseStatus status = closeStatus;
            String reason = status == null ? "connection closed by the server"
                    : "server closed the connection with " + status.code() + " " + status.reasonText();
            subscribedFuture.completeExceptionally(new BenchException(
                    "subscriber #" + index + " (" + url + "): " + reason));
            if (!closing) {
                unexpectedCloses.incrementAndGet();
                lastCloseReason.set(reason);
            }
        }

        private void ended() {
            if (isOpen) {
                isOpen = false;
                open.decrementAndGet();
            }
        }

        void close() {
            outbound.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(200)));
        }

        void dispose() {
            Disposable c = connection;
            if (c != null) {
                c.dispose();
            }
        }
    }
}
