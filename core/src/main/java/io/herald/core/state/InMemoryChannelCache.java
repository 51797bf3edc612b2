package io.herald.core.state;

import io.herald.core.broker.ChannelKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * {@link ChannelCache} in this process's memory, for a single process. Bounded: beyond
 * {@code maxChannels} entries the least recently stored one is dropped (a later subscriber gets
 * a cache miss, as after expiry). Expired entries are dropped when read or when they reach the
 * head of the store order. One short lock guards the map; nothing inside it blocks.
 */
public final class InMemoryChannelCache implements ChannelCache {

    private final Clock clock;
    private final int maxChannels;
    /** In store order: the first entry is the least recently stored. Guarded by itself. */
    private final LinkedHashMap<ChannelKey, Entry> entries = new LinkedHashMap<>();

    public InMemoryChannelCache(Clock clock, int maxChannels) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxChannels < 1) {
            throw new IllegalArgumentException("maxChannels must be positive, was " + maxChannels);
        }
        this.maxChannels = maxChannels;
    }

    @Override
    public Mono<Void> store(ChannelKey channel, byte[] frame, Duration ttl) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(ttl, "ttl");
        return Mono.fromRunnable(() -> {
            Instant now = clock.instant();
            synchronized (entries) {
                entries.remove(channel);
                entries.put(channel, new Entry(frame, now.plus(ttl)));
                Iterator<Map.Entry<ChannelKey, Entry>> oldest = entries.entrySet().iterator();
                while (oldest.hasNext()) {
                    Map.Entry<ChannelKey, Entry> head = oldest.next();
                    if (entries.size() > maxChannels || !head.getValue().expires.isAfter(now)) {
                        oldest.remove();
                    }
                    else {
                        break;
                    }
                }
            }
        });
    }

    @Override
    public Mono<byte[]> last(ChannelKey channel) {
        Objects.requireNonNull(channel, "channel");
        return Mono.fromSupplier(() -> {
            Instant now = clock.instant();
            synchronized (entries) {
                Entry entry = entries.get(channel);
                if (entry == null) {
                    return null;
                }
                if (!entry.expires.isAfter(now)) {
                    entries.remove(channel);
                    return null;
                }
                return entry.frame;
            }
        });
    }

    private record Entry(byte[] frame, Instant expires) {
    }
}
