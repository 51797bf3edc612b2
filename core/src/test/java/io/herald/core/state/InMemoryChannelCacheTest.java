package io.herald.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.broker.ChannelKey;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The cache contract in memory, and its bound. */
class InMemoryChannelCacheTest extends ChannelCacheContractTest {

    @Override
    protected ChannelCache createCache() {
        return new InMemoryChannelCache(Clock.systemUTC(), 100);
    }

    @Test
    void beyondItsBoundTheLeastRecentlyStoredChannelIsDropped() {
        InMemoryChannelCache small = new InMemoryChannelCache(Clock.systemUTC(), 2);
        ChannelKey a = new ChannelKey("app-1", "cache-a");
        ChannelKey b = new ChannelKey("app-1", "cache-b");
        ChannelKey c = new ChannelKey("app-1", "cache-c");
        small.store(a, new byte[] { 1 }, Duration.ofMinutes(1)).block(TIMEOUT);
        small.store(b, new byte[] { 2 }, Duration.ofMinutes(1)).block(TIMEOUT);
        small.store(a, new byte[] { 3 }, Duration.ofMinutes(1)).block(TIMEOUT);
        small.store(c, new byte[] { 4 }, Duration.ofMinutes(1)).block(TIMEOUT);

        assertThat(small.last(b).block(TIMEOUT)).isNull();
        assertThat(small.last(a).block(TIMEOUT)).containsExactly(3);
        assertThat(small.last(c).block(TIMEOUT)).containsExactly(4);
    }
}
