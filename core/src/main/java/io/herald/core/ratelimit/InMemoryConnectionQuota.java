package io.herald.core.ratelimit;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * The {@link ConnectionQuota} of one process: a count per app. Right for a single node; on a
 * node of a cluster without a shared store it admits its share, {@code limit ÷ nodes} (at least 1).
 */
public final class InMemoryConnectionQuota implements ConnectionQuota {

    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final int nodes;

    /** For a single process. */
    public InMemoryConnectionQuota() {
        this(1);
    }

    /** @param nodes how many nodes share each app's limit */
    public InMemoryConnectionQuota(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes must be at least 1");
        }
        this.nodes = nodes;
    }

    @Override
    public Mono<Boolean> open(String appId, int limit) {
        Objects.requireNonNull(appId, "appId");
        return Mono.fromSupplier(() -> {
            boolean[] taken = new boolean[1];
            counts.compute(appId, (id, count) -> {
                int now = count == null ? 0 : count;
                taken[0] = now < Math.max(1, limit / nodes);
                return taken[0] ? now + 1 : (now == 0 ? null : now);
            });
            return taken[0];
        });
    }

    @Override
    public void close(String appId) {
        counts.computeIfPresent(appId, (id, count) -> count <= 1 ? null : count - 1);
    }

    /** The slots {@code appId} holds in this process. */
    public int count(String appId) {
        return counts.getOrDefault(appId, 0);
    }

    /** Every app's slots in this process. */
    Map<String, Integer> counts() {
        return Map.copyOf(counts);
    }

    @Override
    public Mono<Void> refresh() {
        return Mono.empty();
    }
}
