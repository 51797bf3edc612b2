package io.herald.core.redis;

import io.lettuce.core.RedisBusyException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The consumer group of one Redis Stream, made when first needed and made again when Redis lost
 * it (a restart without persistence answers {@code NOGROUP}): the one place that knows how, for
 * every stream read by a group (the webhook queue, the usage stream).
 *
 * <p>Thread-safe; creating the group twice at once is harmless ({@code BUSYGROUP} counts as done).
 */
public final class StreamGroup {

    private final Supplier<Mono<String>> create;
    private final AtomicBoolean ready = new AtomicBoolean();

    /** @param create runs {@code XGROUP CREATE key group 0 MKSTREAM} on the stream's Redis */
    public StreamGroup(Supplier<Mono<String>> create) {
        this.create = Objects.requireNonNull(create, "create");
    }

    /** Runs {@code command} once the group exists; makes the group again and retries once if Redis lost it. */
    public <T> Mono<T> run(Mono<T> command) {
        return ensure().then(command).onErrorResume(StreamGroup::isNoGroup, ex -> {
            ready.set(false);
            return ensure().then(command);
        });
    }

    private Mono<Void> ensure() {
        if (ready.get()) {
            return Mono.empty();
        }
        return Mono.defer(create)
                .onErrorResume(ex -> ex instanceof RedisBusyException
                        || (ex.getMessage() != null && ex.getMessage().startsWith("BUSYGROUP")), ex -> Mono.just("exists"))
                .doOnSuccess(ok -> ready.set(true))
                .then();
    }

    static boolean isNoGroup(Throwable ex) {
        return ex.getMessage() != null && ex.getMessage().startsWith("NOGROUP");
    }
}
