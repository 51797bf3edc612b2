package io.herald.core.app;

import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The writable app registry behind the {@link AppStore} port: what auth-service's admin API
 * changes. Adapters: {@link InMemoryAppRegistry} (one process) and
 * {@link io.herald.core.app.redis.RedisAppStore} (the state Redis, shared by every service).
 *
 * <p>Guarantees: the id and the key of an app are each unique and never change; every
 * successful write is announced on {@link #changes()} (with the Redis adapter, to every process
 * that watches the registry) after it is visible to lookups; {@link #update} is atomic per app
 * (a concurrent write makes it re-read and re-apply, never lose the other write). Apps are
 * returned with their secrets: only trusted services hold a registry.
 */
public interface AppRegistry extends AppStore {

    /**
     * Stores a new app.
     *
     * @return the app as stored; errors with {@link AppConflictException} when its id or key is taken
     */
    Mono<App> create(App app);

    /**
     * Replaces an app by {@code change} applied to its current state. {@code change} may be called
     * more than once (after a concurrent write), so it must be a pure function; it must keep the
     * id and the key (else {@link IllegalArgumentException}).
     *
     * @return the app as stored, or empty when there is no such app
     */
    Mono<App> update(String appId, UnaryOperator<App> change);

    /** Removes an app (its key becomes free). @return whether it existed */
    Mono<Boolean> delete(String appId);

    /** Every app, ordered by id. */
    Flux<App> list();

    /** Checks that an update kept what may not change. */
    static App checkedUpdate(App before, App after) {
        if (after == null || !after.id().equals(before.id()) || !after.key().equals(before.key())) {
            throw new IllegalArgumentException("An update may not change an app's id or key");
        }
        return after;
    }
}
