package io.herald.core.ratelimit;

import reactor.core.publisher.Mono;

/**
 * The concurrent-connection quota of apps ({@code maxConnections}), cluster-wide: unlike a rate,
 * a connection holds its unit until it ends, and a node that dies holds its units until they
 * are found stale.
 *
 * <p><b>What callers may rely on.</b>
 * <ul>
 * <li>{@link #open} takes one slot when fewer than {@code limit} are held across the cluster,
 * atomically (the Redis adapter decides in one Lua script on the state Redis); {@link #close}
 * gives it back. A caller closes exactly the slots it opened.</li>
 * <li>Each node's slots are its own entry, rewritten from the node's own count by
 * {@link #refresh} (every third of the entry's time to live); an entry not refreshed in time —
 * its node died — stops counting and is removed at the next decision. So a dead node's
 * connections are released within that time to live, and a state Redis that restarted empty
 * holds every live node's count again after one refresh.</li>
 * <li>Fails open, bounded: when the store cannot be reached, a node admits up to its local share
 * ({@code limit ÷ nodes}) of its own connections, never more, and never refuses because of the
 * outage alone.</li>
 * <li>Never blocks.</li>
 * </ul>
 */
public interface ConnectionQuota {

    /** Takes one connection slot of {@code appId}; {@code false} when {@code limit} (at least 1) are held. */
    Mono<Boolean> open(String appId, int limit);

    /** Gives back a slot taken by {@link #open}. */
    void close(String appId);

    /** Rewrites this node's entries from its own counts; a no-op where nothing is shared. */
    Mono<Void> refresh();
}
