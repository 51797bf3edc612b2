package io.herald.edge;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * This node's bound on channel-state commands in flight ({@code herald.edge.max-state-commands-in-flight}).
 *
 * <p>Why: every join, leave and member list goes to its channel's shard over one pipelined
 * connection per shard. Under a flood, commands queue in Lettuce and at the shard faster than it
 * answers; once the queue is longer than the shard can clear within the command timeout, every
 * command times out — other connections' and other nodes' too — and each timed-out join must be
 * undone, adding more. A bound on what this node has in flight keeps the queue short: a subscribe
 * beyond it is refused at once ({@link StateBusyException}, a retryable {@code subscription_error}),
 * never sent. Leaves and undos are counted but never refused: refusing them would leave state
 * behind that nobody holds.
 *
 * <p>Thread-safe, lock-free.
 */
public final class StateCommandLimit {

    private final int max;
    private final AtomicInteger inFlight = new AtomicInteger();

    public StateCommandLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        this.max = max;
    }

    /** Runs {@code command} if fewer than the bound are in flight, else fails at once with {@link StateBusyException}. */
    <T> Mono<T> tryRun(Supplier<Mono<T>> command) {
        return Mono.defer(() -> {
            int now;
            do {
                now = inFlight.get();
                if (now >= max) {
                    return Mono.error(new StateBusyException(max));
                }
            }
            while (!inFlight.compareAndSet(now, now + 1));
            return counted(command);
        });
    }

    /** Runs {@code command}, counted, whatever is in flight: for leaves and undos. */
    <T> Mono<T> run(Supplier<Mono<T>> command) {
        return Mono.defer(() -> {
            inFlight.incrementAndGet();
            return counted(command);
        });
    }

    /** The counter is already incremented; decremented once, however the command ends (a throwing supplier too). */
    private <T> Mono<T> counted(Supplier<Mono<T>> command) {
        return Mono.defer(command).doFinally(signal -> inFlight.decrementAndGet());
    }

    /** Commands in flight now. */
    int inFlight() {
        return inFlight.get();
    }

    /** Room left under the bound now (zero or more). */
    int available() {
        return Math.max(0, max - inFlight.get());
    }

    int max() {
        return max;
    }
}
