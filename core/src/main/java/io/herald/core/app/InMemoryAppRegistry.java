package io.herald.core.app;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An {@link AppRegistry} in this process's memory: for auth-service (or the standalone server)
 * without a state Redis. Writes are lost at restart, and other processes never see them; the
 * apps of {@code herald.apps} are there again at every start.
 *
 * <p>Writes take one short lock (no I/O under it) so that the id and key indexes stay consistent;
 * lookups take none.
 */
public final class InMemoryAppRegistry implements AppRegistry {

    private final Map<String, App> byId = new ConcurrentHashMap<>();
    private final Map<String, String> idByKey = new ConcurrentHashMap<>();
    private final AppChanges changes = new AppChanges("in-memory");

    public InMemoryAppRegistry(Collection<App> seed) {
        for (App app : seed) {
            if (!tryCreate(app).isEmpty()) {
                throw new IllegalArgumentException("Two configured apps have the same id or key: " + app.id());
            }
        }
    }

    @Override
    public Mono<App> findById(String appId) {
        return Mono.justOrEmpty(byId.get(appId));
    }

    @Override
    public Mono<App> findByKey(String key) {
        return Mono.fromSupplier(() -> {
            String id = idByKey.get(key);
            return id == null ? null : byId.get(id);
        });
    }

    @Override
    public Flux<String> changes() {
        return changes.flux();
    }

    @Override
    public Mono<App> create(App app) {
        Objects.requireNonNull(app, "app");
        return Mono.fromCallable(() -> {
            String conflict = tryCreate(app);
            if (!conflict.isEmpty()) {
                throw new AppConflictException(conflict);
            }
            changes.emit(app.id());
            return app;
        });
    }

    private synchronized String tryCreate(App app) {
        if (byId.containsKey(app.id())) {
            return "An app with id " + app.id() + " exists";
        }
        if (idByKey.containsKey(app.key())) {
            return "An app with key " + app.key() + " exists";
        }
        byId.put(app.id(), app);
        idByKey.put(app.key(), app.id());
        return "";
    }

    @Override
    public Mono<App> update(String appId, UnaryOperator<App> change) {
        return Mono.fromCallable(() -> {
            App updated;
            synchronized (this) {
                App current = byId.get(appId);
                if (current == null) {
                    return null;
                }
                updated = AppRegistry.checkedUpdate(current, change.apply(current));
                byId.put(appId, updated);
            }
            changes.emit(appId);
            return updated;
        });
    }

    @Override
    public Mono<Boolean> delete(String appId) {
        return Mono.fromCallable(() -> {
            synchronized (this) {
                App removed = byId.remove(appId);
                if (removed == null) {
                    return false;
                }
                idByKey.remove(removed.key());
            }
            changes.emit(appId);
            return true;
        });
    }

    @Override
    public Flux<App> list() {
        return Flux.defer(() -> Flux.fromIterable(List.copyOf(byId.values())).sort(Comparator.comparing(App::id)));
    }
}
