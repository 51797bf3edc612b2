package io.herald.core.app;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/** Apps fixed at start-up, from configuration. */
public final class StaticAppStore implements AppStore {

    private final Map<String, App> byId;
    private final Map<String, App> byKey;

    public StaticAppStore(Collection<App> apps) {
        this.byId = index(apps, App::id, "id");
        this.byKey = index(apps, App::key, "key");
    }

    private static Map<String, App> index(Collection<App> apps, Function<App, String> field, String what) {
        return apps.stream().collect(Collectors.toUnmodifiableMap(field, Function.identity(), (a, b) -> {
            throw new IllegalArgumentException("Two apps have the same " + what + ": " + a.id() + " and " + b.id());
        }));
    }

    @Override
    public Mono<App> findById(String appId) {
        return Mono.justOrEmpty(byId.get(appId));
    }

    @Override
    public Mono<App> findByKey(String key) {
        return Mono.justOrEmpty(byKey.get(key));
    }

    public List<App> all() {
        return List.copyOf(byId.values());
    }
}
