package io.herald.core.app;

import reactor.core.publisher.Mono;

/**
 * Looks up apps. Implementations are fast enough to call on every connection and every
 * publish (they cache), and never block the calling thread.
 *
 * <p>Both lookups complete empty when no such app exists; disabled apps are returned (callers
 * decide what disabled means for them).
 */
public interface AppStore {

    Mono<App> findById(String appId);

    Mono<App> findByKey(String key);
}
