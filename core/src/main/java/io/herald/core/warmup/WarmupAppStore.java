package io.herald.core.warmup;

import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The node's app store, plus the warm-up app while (and only while) the warm-up runs: afterwards
 * its key is an unknown key like any other (4001).
 */
final class WarmupAppStore implements AppStore {

    private final AppStore delegate;
    private final WarmupApp warmup;

    WarmupAppStore(AppStore delegate, WarmupApp warmup) {
        this.delegate = delegate;
        this.warmup = warmup;
    }

    @Override
    public Mono<App> findById(String appId) {
        if (warmup.active() && warmup.app().id().equals(appId)) {
            return Mono.just(warmup.app());
        }
        return delegate.findById(appId);
    }

    @Override
    public Mono<App> findByKey(String key) {
        if (warmup.active() && warmup.app().key().equals(key)) {
            return Mono.just(warmup.app());
        }
        return delegate.findByKey(key);
    }

    @Override
    public Flux<String> changes() {
        return delegate.changes();
    }
}
