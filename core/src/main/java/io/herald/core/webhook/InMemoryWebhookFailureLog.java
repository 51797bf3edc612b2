package io.herald.core.webhook;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link WebhookFailureLog} in this process's memory, for the standalone server: the most
 * recent {@code keptPerApp} failures of each app (older ones are dropped). Nothing survives a
 * restart. Thread-safe.
 */
public final class InMemoryWebhookFailureLog implements WebhookFailureLog {

    private final int keptPerApp;
    private final Map<String, ArrayDeque<WebhookFailure>> byApp = new ConcurrentHashMap<>();

    public InMemoryWebhookFailureLog() {
        this(DEFAULT_KEPT_PER_APP);
    }

    public InMemoryWebhookFailureLog(int keptPerApp) {
        if (keptPerApp <= 0) {
            throw new IllegalArgumentException("keptPerApp must be positive");
        }
        this.keptPerApp = keptPerApp;
    }

    @Override
    public Mono<Void> record(WebhookFailure failure) {
        Objects.requireNonNull(failure, "failure");
        return Mono.fromRunnable(() -> {
            ArrayDeque<WebhookFailure> failures = byApp.computeIfAbsent(failure.appId(), id -> new ArrayDeque<>());
            synchronized (failures) {
                failures.addFirst(failure);
                while (failures.size() > keptPerApp) {
                    failures.removeLast();
                }
            }
        });
    }

    @Override
    public Flux<WebhookFailure> recent(String appId, int limit) {
        Objects.requireNonNull(appId, "appId");
        return Flux.defer(() -> {
            ArrayDeque<WebhookFailure> failures = byApp.get(appId);
            if (failures == null || limit <= 0) {
                return Flux.empty();
            }
            List<WebhookFailure> copy;
            synchronized (failures) {
                copy = failures.stream().limit(limit).toList();
            }
            return Flux.fromIterable(copy);
        });
    }
}
