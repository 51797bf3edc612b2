package io.herald.core.app;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The hot stream of change announcements of one app store: what {@link AppStore#changes()}
 * returns in the adapters that change.
 *
 * <p>Emitting never blocks and never fails the emitter (it may be a Redis I/O thread). Each
 * subscriber has its own buffer of {@value #BUFFER} announcements; a subscriber that falls
 * further behind loses the <em>oldest</em> ones ({@link BufferOverflowStrategy#DROP_OLDEST}) and a
 * warning is logged. Caches must therefore keep a TTL as a safety net, which
 * {@link CachingAppStore} does.
 *
 * <p>{@link #RESYNC} is a special announcement, not an app id: "announcements may have been
 * missed (a reconnection); treat every app as changed". Only store adapters emit it, for
 * {@link CachingAppStore}, which turns it into one announcement per app it had cached and never
 * passes it on.
 */
public final class AppChanges {

    /** Not a valid app id (ids are letters, digits, '-' and '_'), so it cannot clash with one. */
    public static final String RESYNC = "*";

    /** Announcements a subscriber may fall behind by before the oldest are dropped. */
    public static final int BUFFER = 1024;

    private static final Logger log = LoggerFactory.getLogger(AppChanges.class);

    private final Sinks.Many<String> sink = Sinks.many().multicast().directBestEffort();
    private final String name;

    public AppChanges(String name) {
        this.name = name;
    }

    /** Announces a change of {@code appId} (or {@link #RESYNC}) to the current subscribers. */
    public synchronized void emit(String appId) {
        // directBestEffort: a subscriber that has no demand misses it, but subscribers below
        // request unbounded (their own bounded buffer), so that only happens after cancellation.
        sink.tryEmitNext(appId);
    }

    /** Ends the stream (store closed). */
    public synchronized void complete() {
        sink.tryEmitComplete();
    }

    /** The hot stream, each subscriber with its own bounded buffer. */
    public Flux<String> flux() {
        Consumer<String> dropped = id -> log.warn("A subscriber of {} app changes fell {} announcements behind; "
                + "dropped the oldest (caches catch up by their TTL)", name, BUFFER);
        return sink.asFlux().onBackpressureBuffer(BUFFER, dropped, BufferOverflowStrategy.DROP_OLDEST);
    }
}
