package io.herald.core.debug;

import java.time.Clock;
import reactor.core.publisher.Flux;

/**
 * The debug console of one process (the standalone server): emitters and watchers share
 * {@link LocalWatchers}, so an event reaches the watchers in the emitter's thread.
 */
public final class InMemoryDebugConsole implements DebugConsole {

    private final LocalWatchers watchers;

    public InMemoryDebugConsole(int bufferSize, Clock clock) {
        this.watchers = new LocalWatchers(bufferSize, clock, app -> {
        }, app -> {
        });
    }

    @Override
    public boolean watched(String appId) {
        return watchers.watched(appId);
    }

    @Override
    public void emit(DebugEvent event) {
        if (watchers.watched(event.appId())) {
            watchers.deliver(event);
        }
    }

    @Override
    public Flux<DebugNotice> watch(String appId) {
        return watchers.watch(appId);
    }
}
