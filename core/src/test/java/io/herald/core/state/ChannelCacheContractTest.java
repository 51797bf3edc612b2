package io.herald.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.ChannelKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** What every {@link ChannelCache} must do, run against each adapter. */
public abstract class ChannelCacheContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(15);

    protected ChannelCache cache;

    protected abstract ChannelCache createCache();

    protected void close() {
    }

    @BeforeEach
    void createTheCache() {
        cache = createCache();
    }

    @AfterEach
    void closeTheCache() {
        close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aChannelWithNothingStoredIsAMiss() {
        StepVerifier.create(cache.last(new ChannelKey("app-1", "cache-empty"))).expectComplete().verify(TIMEOUT);
    }

    @Test
    void theLatestFrameIsKeptByteForBytePerAppAndChannel() {
        ChannelKey channel = new ChannelKey("app-1", "cache-news");
        cache.store(channel, bytes("{\"event\":\"a\"}"), Duration.ofMinutes(30)).block(TIMEOUT);
        cache.store(channel, bytes("{\"event\":\"b\",\"data\":\"é\"}"), Duration.ofMinutes(30)).block(TIMEOUT);
        cache.store(new ChannelKey("app-2", "cache-news"), bytes("other app"), Duration.ofMinutes(30)).block(TIMEOUT);

        StepVerifier.create(cache.last(channel))
                .assertNext(frame -> assertThat(frame).isEqualTo(bytes("{\"event\":\"b\",\"data\":\"é\"}")))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(cache.last(new ChannelKey("app-2", "cache-news")).block(TIMEOUT)).isEqualTo(bytes("other app"));
    }

    @Test
    void anEntryExpiresAfterItsTimeToLive() {
        ChannelKey channel = new ChannelKey("app-1", "cache-short");
        cache.store(channel, bytes("x"), Duration.ofMillis(300)).block(TIMEOUT);
        cache.store(new ChannelKey("app-1", "cache-long"), bytes("y"), Duration.ofMinutes(30)).block(TIMEOUT);

        await().atMost(TIMEOUT).until(() -> cache.last(channel).block(TIMEOUT) == null);
        assertThat(cache.last(new ChannelKey("app-1", "cache-long")).block(TIMEOUT)).isEqualTo(bytes("y"));
    }
}
