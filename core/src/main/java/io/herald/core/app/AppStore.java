package io.herald.core.app;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Looks up apps. Implementations are fast enough to call on every connection and every
 * publish (they cache), and never block the calling thread.
 *
 * <p>Both lookups complete empty when no such app exists; disabled apps are returned (callers
 * decide what disabled means for them). Whether the returned apps carry their secrets depends
 * on the adapter: the edge's never does.
 */
public interface AppStore {

    Mono<App> findById(String appId);

    Mono<App> findByKey(String key);

    /**
     * The ids of apps that changed (created, updated, disabled, rotated, deleted), as they are
     * announced; a hot stream that never completes. Stores whose apps never change return
     * {@link Flux#never()}.
     */
    default Flux<String> changes() {
        return Flux.never();
    }
}
