package io.herald.core.warmup;

import io.herald.core.app.App;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * What a {@link WarmupTask} runs with: this server's port, the warm-up app, the event loop of the
 * warm-up's own clients (not the server's) and {@link #rounds}, the loop every task drives.
 */
public final class WarmupContext {

    /** Bounds one round; a round that hangs must not hold the start. */
    public static final Duration ROUND_TIMEOUT = Duration.ofSeconds(5);

    private final int port;
    private final App app;
    private final LoopResources loops;
    private final Duration quietCompilation;

    WarmupContext(int port, App app, LoopResources loops, Duration quietCompilation) {
        this.port = port;
        this.app = app;
        this.loops = loops;
        this.quietCompilation = quietCompilation;
    }

    /** The main server's port, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The warm-up app, known to the app store while the warm-up runs. */
    public App app() {
        return app;
    }

    /** The warm-up clients' event loop (one thread, daemon), disposed after the last task. */
    public LoopResources loops() {
        return loops;
    }

    /**
     * Runs {@code round(0)}, {@code round(1)}, ... at most {@code concurrency} at once, until
     * {@code count} ran, {@code maxDuration} passed or the JIT compilers went quiet (less than
     * {@code herald.warmup.quiet-compilation} in a second), whichever comes first. A round emits
     * {@code true} when it went the whole way; an error or a timeout ({@link #ROUND_TIMEOUT})
     * counts as failed. Blocks until the rounds started have ended.
     */
    public WarmupRounds rounds(int count, int concurrency, Duration maxDuration, IntFunction<Mono<Boolean>> round) {
        long start = System.nanoTime();
        long deadline = start + maxDuration.toNanos();
        CompilerActivity compilers = new CompilerActivity(quietCompilation);
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> lastFailure = new AtomicReference<>();
        AtomicReference<String> endedBy = new AtomicReference<>("count");
        try {
            Flux.range(0, count)
                    .takeWhile(i -> {
                        if (System.nanoTime() - deadline >= 0) {
                            endedBy.set("time");
                            return false;
                        }
                        if (compilers.quiet()) {
                            endedBy.set("quiet");
                            return false;
                        }
                        return true;
                    })
                    .flatMap(i -> Mono.defer(() -> round.apply(i)).timeout(ROUND_TIMEOUT).defaultIfEmpty(false)
                            .onErrorResume(ex -> {
                                lastFailure.set(ex.toString());
                                return Mono.just(false);
                            })
                            .doOnNext(whole -> (whole ? completed : failed).incrementAndGet()), concurrency)
                    .then()
                    .block(maxDuration.plus(ROUND_TIMEOUT).plus(ROUND_TIMEOUT));
        }
        catch (RuntimeException ex) {
            lastFailure.set(ex.toString());
            endedBy.set("error");
        }
        return new WarmupRounds(completed.get(), failed.get(), lastFailure.get(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), endedBy.get());
    }
}
