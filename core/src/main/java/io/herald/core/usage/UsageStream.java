package io.herald.core.usage;

import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The transport of {@link UsageDelta}s from the nodes that count to metrics-service, which
 * aggregates them: a Redis Stream with a consumer group on the state Redis
 * ({@code redis.RedisUsageStream}), or a bounded queue in memory for one process.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li><b>At least once.</b> An appended delta is read by one consumer of the group; it stays
 * pending until {@link #ack}ed, and a pending delta whose consumer died is handed to another by
 * {@link #reclaim}. A delta may therefore be read more than once (and a node retrying an append
 * whose answer was lost may append it twice): consumers make applying idempotent by
 * {@code (node, sequence)}, see {@link UsageStore#apply}.</li>
 * <li><b>No order</b> is promised across nodes, nor across a reclaim.</li>
 * <li>{@link #append} fails (a {@link io.herald.core.redis.RedisUnavailableException}) while the
 * state Redis is unreachable; the node keeps the deltas and appends them again.</li>
 * </ul>
 */
public interface UsageStream {

    /** Appends the deltas; completes once all of them are stored. */
    Mono<Void> append(List<UsageDelta> deltas);

    /** Up to {@code max} deltas not yet read by the group, waiting up to {@code wait} for one. */
    Mono<List<Entry>> read(String consumer, int max, Duration wait);

    /** Up to {@code max} deltas read by any consumer and not acknowledged for at least {@code minIdle}, now {@code consumer}'s. */
    Mono<List<Entry>> reclaim(String consumer, Duration minIdle, int max);

    /** Marks entries as done: they are not read or reclaimed again. */
    Mono<Void> ack(List<String> ids);

    /**
     * A delta as read from the stream.
     *
     * @param id the entry's id in the stream, for {@link #ack}
     * @param delta the delta
     */
    record Entry(String id, UsageDelta delta) {
    }
}
