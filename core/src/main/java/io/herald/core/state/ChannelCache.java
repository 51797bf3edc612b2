package io.herald.core.state;

import io.herald.core.broker.ChannelKey;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * The last event of each cache channel ({@code cache-}, {@code private-cache-},
 * {@code presence-cache-}, {@code private-encrypted-cache-}), kept so that a client subscribing
 * later receives it first, or {@code pusher:cache_miss} when there is none. Pusher keeps it "up
 * to 30 minutes".
 *
 * <p>What callers may rely on: {@link #last} returns the frame of the latest {@link #store} whose
 * time to live has not run out, byte for byte, or completes empty. Entries may be dropped
 * earlier (the in-memory adapter is bounded; Redis may evict or lose them); a dropped entry is a
 * cache miss, never an error. A store that cannot be reached fails with
 * {@link ChannelStateUnavailableException}. Calls never block.
 */
public interface ChannelCache {

    /** Pusher's documented retention of a cache channel's last event. */
    Duration DEFAULT_TTL = Duration.ofMinutes(30);

    /**
     * Keeps {@code frame} (the exact Pusher frame clients receive) as the channel's last event for
     * {@code ttl}, replacing the previous one. Callers must not modify the array afterwards.
     */
    Mono<Void> store(ChannelKey channel, byte[] frame, Duration ttl);

    /** The channel's last event, or empty when there is none (never stored, expired or dropped). */
    Mono<byte[]> last(ChannelKey channel);
}
