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
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger subscribed = new AtomicInteger();
    private final AtomicLong unexpectedCloses = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicReference<String> lastCloseReason = new AtomicReference<>();
    private volatile RunState run;
    private volatile boolean closing;

    SubscriberPool(Options options, LoopResources loops) {
        this.options = options;
        // One connection per subscriber: a pooled provider would cap the number of open sockets.
        this.client = HttpClient.create(ConnectionProvider.newConnection())
                .runOn(loops)
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        for (int i = 0; i < options.subscribers; i++) {
            subscribers.add(new Subscriber(i));
        }
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

    /**
     * Connects and subscribes every subscriber, at most {@code --connect-concurrency} handshakes
     * at once and {@code --connect-rate} new ones per second, within {@code --connect-timeout}.
     * The first failure ends the phase.
     */
    void connectAll(PrintStream progress) {
        int n = subscribers.size();
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
        private final CompletableFuture<Void> subscribedFuture = new CompletableFuture<>();
        private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
        private volatile Disposable connection;
        private volatile WebSocketCloseStatus closeStatus;
        private volatile boolean isOpen;

        Subscriber(int index) {
            this.index = index;
        }

        CompletableFuture<Void> start() {
            connection = client
                    .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build())
                    .uri(options.wsUrl())
                    .handle(this::handle)
                    .subscribe(null, this::onError, this::onComplete);
            return subscribedFuture;
        }

        private Mono<Void> handle(WebsocketInbound in, WebsocketOutbound out) {
            isOpen = true;
            open.incrementAndGet();
            in.receiveCloseStatus().subscribe(status -> closeStatus = status);
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

        private void onText(String text) {
            long now = System.nanoTime();
            Frames.Frame frame = Frames.parseFrame(text);
            if (frame == null || frame.event() == null) {
                return;
            }
            switch (frame.event()) {
                case "pusher:connection_established" -> emit(Frames.subscribe(options.channel));
                case "pusher_internal:subscription_succeeded" -> {
                    // Count first: the main thread may read the count as soon as the future completes.
                    if (options.channel.equals(frame.channel()) && !subscribedFuture.isDone()) {
                        subscribed.incrementAndGet();
                        subscribedFuture.complete(null);
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
                        "subscribing to " + options.channel + " failed: " + frame.data()));
                default -> {
                    if (options.eventName.equals(frame.event()) && options.channel.equals(frame.channel())) {
                        Frames.Payload payload = Frames.parsePayload(frame.data());
                        RunState current = run;
                        if (payload != null && current != null && payload.run() == current.id) {
                            current.onDelivery(index, payload.seq(), payload.sentNanos(), now);
                        }
                    }
                }
            }
        }

        private void emit(String text) {
            outbound.emitNext(text, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(200)));
        }

        private void onError(Throwable error) {
            ended();
            subscribedFuture.completeExceptionally(new BenchException(
                    "subscriber #" + index + " (" + options.wsUrl() + "): " + BenchException.describe(error), error));
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
                    "subscriber #" + index + " (" + options.wsUrl() + "): " + reason));
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
