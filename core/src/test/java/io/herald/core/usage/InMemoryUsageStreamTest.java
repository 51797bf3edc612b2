package io.herald.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryUsageStreamTest {

    private static UsageDelta delta(long seq) {
        return new UsageDelta("n", seq, "a", Instant.EPOCH, new UsageCounts(Map.of(UsageQuantity.API_REQUESTS, seq)));
    }

    @Test
    void aReadWithoutWaitingTakesWhatIsThere() {
        InMemoryUsageStream stream = new InMemoryUsageStream(10);
        assertThat(stream.read("c", 10, Duration.ZERO).block(Duration.ofSeconds(30))).isEmpty();
        stream.append(List.of(delta(1), delta(2))).block();
        assertThat(stream.read("c", 10, Duration.ZERO).block(Duration.ofSeconds(30)))
                .extracting(UsageStream.Entry::delta).containsExactly(delta(1), delta(2));
        assertThat(stream.read("c", 10, Duration.ZERO).block(Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void aWaitingReadGetsWhatIsAppendedMeanwhileAndTheOldestAreDroppedBeyondCapacity() {
        InMemoryUsageStream stream = new InMemoryUsageStream(2);
        var read = stream.read("c", 10, Duration.ofSeconds(5)).toFuture();
        stream.append(List.of(delta(1))).block();
        assertThat(read.join()).extracting(UsageStream.Entry::delta).containsExactly(delta(1));
        stream.append(List.of(delta(2), delta(3), delta(4))).block();
        assertThat(stream.dropped()).isEqualTo(1);
        assertThat(stream.read("c", 10, Duration.ZERO).block(Duration.ofSeconds(30)))
                .extracting(UsageStream.Entry::delta).containsExactly(delta(3), delta(4));
    }
}
