package io.herald.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.testing.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

class UsageFlusherTest {

    /** A stream that records what it stored and can be made to fail. */
    static final class RecordingStream implements UsageStream {

        final List<UsageDelta> stored = new ArrayList<>();
        final AtomicBoolean down = new AtomicBoolean();

        @Override
        public Mono<List<Entry>> read(String consumer, int max, Duration wait) {
            return Mono.just(List.of());
        }

        @Override
        public Mono<List<Entry>> reclaim(String consumer, Duration minIdle, int max) {
            return Mono.just(List.of());
        }

        @Override
        public Mono<Void> ack(List<String> ids) {
            return Mono.empty();
        }

        @Override
        public synchronized Mono<Void> append(List<UsageDelta> deltas) {
            if (down.get()) {
                return Mono.error(new IllegalStateException("down"));
            }
            stored.addAll(deltas);
            return Mono.empty();
        }
    }

    private UsageFlusher flusher(UsageCounter counter, RecordingStream stream) {
        // An hour between ticks: the test flushes by hand.
        return new UsageFlusher(counter, stream, new TestClock(), Duration.ofHours(1), 1000, Duration.ofSeconds(2),
                "node1", Schedulers.single());
    }

    @Test
    void oneDeltaPerAppPerFlushNumberedWithoutGaps() {
        UsageCounter counter = new UsageCounter();
        RecordingStream stream = new RecordingStream();
        try (UsageFlusher flusher = flusher(counter, stream)) {
            counter.record("a", UsageQuantity.MESSAGES_DELIVERED, 1000);
            counter.record("b", UsageQuantity.MESSAGES_PUBLISHED, 1);
            flusher.flush().block();
            flusher.flush().block();
            counter.record("a", UsageQuantity.MESSAGES_DELIVERED, 1);
            flusher.flush().block();
        }
        assertThat(stream.stored).extracting(UsageDelta::sequence).containsExactly(1L, 2L, 3L);
        assertThat(stream.stored).extracting(UsageDelta::node).containsOnly("node1");
        assertThat(stream.stored.get(0).counts().get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(1000);
    }

    @Test
    void deltasThatCouldNotBeSentAreSentLaterWithTheirNumbersAndCloseFlushesTheRest() {
        UsageCounter counter = new UsageCounter();
        RecordingStream stream = new RecordingStream();
        UsageFlusher flusher = flusher(counter, stream);
        stream.down.set(true);
        counter.record("a", UsageQuantity.MESSAGES_DELIVERED, 5);
        flusher.flush().block();
        counter.record("a", UsageQuantity.MESSAGES_DELIVERED, 6);
        flusher.flush().block();
        assertThat(flusher.pending()).isEqualTo(2);
        assertThat(stream.stored).isEmpty();

        stream.down.set(false);
        counter.record("a", UsageQuantity.MESSAGES_DELIVERED, 7);
        flusher.close();
        assertThat(stream.stored).extracting(UsageDelta::sequence).containsExactly(1L, 2L, 3L);
        assertThat(stream.stored).extracting(d -> d.counts().get(UsageQuantity.MESSAGES_DELIVERED))
                .containsExactly(5L, 6L, 7L);
        assertThat(flusher.pending()).isZero();
    }
}
