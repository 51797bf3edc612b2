package io.herald.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryUsageStoreTest extends UsageStoreContractTest {

    private final TestClock clock = new TestClock(T0);

    @Override
    protected UsageStore store() {
        return new InMemoryUsageStore(clock, UsageRetention.DEFAULTS);
    }

    @Test
    void bucketsGoAfterTheirRetentionTotalsStay() {
        UsageStore store = new InMemoryUsageStore(clock, new UsageRetention(Duration.ofHours(2), Duration.ofDays(1),
                Duration.ofDays(3), Duration.ofHours(1), Duration.ofDays(7)));
        store.apply(delta("n1", 1, "app-a", T0, 5, 0, 0)).block();
        clock.advance(Duration.ofHours(3));
        var minutes = store.read("app-a", T0, T0.plusSeconds(1), UsageStep.MINUTE).block();
        var hours = store.read("app-a", T0, T0.plusSeconds(1), UsageStep.HOUR).block();
        assertThat(minutes.buckets().get(0).counts().isZero()).isTrue();
        assertThat(hours.buckets().get(0).counts().get(UsageQuantity.MESSAGES_PUBLISHED)).isEqualTo(5);
        assertThat(minutes.total().get(UsageQuantity.MESSAGES_PUBLISHED)).isEqualTo(5);
    }
}
