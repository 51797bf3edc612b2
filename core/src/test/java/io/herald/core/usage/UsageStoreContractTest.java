package io.herald.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.usage.UsageStore.UsageReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every {@link UsageStore} does; run against the in-memory and the Redis store. */
public abstract class UsageStoreContractTest {

    /** Today 10:15:30 UTC: near enough to now that Redis keeps buckets (they expire by the wall clock). */
    protected static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS)
            .plus(Duration.ofMinutes(10 * 60 + 15)).plusSeconds(30);
    private static final Instant DAY = T0.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A fresh, empty store. */
    protected abstract UsageStore store();

    protected static UsageDelta delta(String node, long seq, String app, Instant at, long published, long delivered,
            long peak) {
        return new UsageDelta(node, seq, app, at, new UsageCounts(Map.of(UsageQuantity.MESSAGES_PUBLISHED, published,
                UsageQuantity.MESSAGES_DELIVERED, delivered, UsageQuantity.PEAK_CONNECTIONS, peak)));
    }

    private static boolean apply(UsageStore store, UsageDelta delta) {
        return store.apply(delta).block(WAIT);
    }

    private static UsageReport read(UsageStore store, String app, Instant from, Instant to, UsageStep step) {
        return store.read(app, from, to, step).block(WAIT);
    }

    @Test
    void sumsDeltasIntoMinuteHourDayAndTotalsPerAppAndForTheCluster() {
        UsageStore store = store();
        assertThat(apply(store, delta("n1", 1, "app-a", T0, 2, 20, 0))).isTrue();
        assertThat(apply(store, delta("n1", 2, "app-b", T0, 1, 5, 0))).isTrue();
        assertThat(apply(store, delta("n2", 1, "app-a", T0.plusSeconds(40), 3, 30, 0))).isTrue();

        UsageReport minutes = read(store, "app-a", T0.minusSeconds(30), T0.plusSeconds(90), UsageStep.MINUTE);
        assertThat(minutes.buckets()).hasSize(2);
        assertThat(minutes.buckets().get(0).start()).isEqualTo(DAY.plus(Duration.ofMinutes(10 * 60 + 15)));
        assertThat(minutes.buckets().get(0).counts().get(UsageQuantity.MESSAGES_PUBLISHED)).isEqualTo(2);
        assertThat(minutes.buckets().get(1).counts().get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(30);
        assertThat(minutes.total().get(UsageQuantity.MESSAGES_PUBLISHED)).isEqualTo(5);
        assertThat(minutes.total().billableMessages()).isEqualTo(55);
        assertThat(minutes.rangeTotal().get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(50);

        UsageReport hours = read(store, "app-a", T0, T0.plusSeconds(1), UsageStep.HOUR);
        assertThat(hours.buckets()).singleElement().satisfies(b -> {
            assertThat(b.start()).isEqualTo(DAY.plus(Duration.ofHours(10)));
            assertThat(b.counts().get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(50);
        });
        UsageReport cluster = read(store, UsageStore.CLUSTER, T0, T0.plusSeconds(1), UsageStep.DAY);
        assertThat(cluster.buckets().get(0).start()).isEqualTo(DAY);
        assertThat(cluster.buckets().get(0).counts().get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(55);
        assertThat(cluster.total().get(UsageQuantity.MESSAGES_PUBLISHED)).isEqualTo(6);
    }

    @Test
    void aDeltaAppliedTwiceIsCountedOnceInOrderOrNot() {
        UsageStore store = store();
        assertThat(apply(store, delta("n1", 2, "app-a", T0, 1, 1, 0))).isTrue();
        assertThat(apply(store, delta("n1", 2, "app-a", T0, 1, 1, 0))).isFalse();
        assertThat(apply(store, delta("n1", 1, "app-a", T0, 10, 10, 0))).isTrue();
        assertThat(apply(store, delta("n1", 1, "app-a", T0, 10, 10, 0))).isFalse();
        assertThat(apply(store, delta("n1", 2, "app-a", T0, 1, 1, 0))).isFalse();
        assertThat(apply(store, delta("n1", 3, "app-a", T0, 100, 100, 0))).isTrue();
        // The same sequence number of another node is another delta.
        assertThat(apply(store, delta("n2", 1, "app-a", T0, 1000, 0, 0))).isTrue();

        UsageReport report = read(store, "app-a", T0, T0.plusSeconds(1), UsageStep.MINUTE);
        assertThat(report.total().get(UsageQuantity.MESSAGES_PUBLISHED)).isEqualTo(1111);
        assertThat(report.buckets().get(0).counts().get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(111);
    }

    @Test
    void peakConnectionsAddNodesOfOneSecondAndTakeTheHighestSecond() {
        UsageStore store = store();
        apply(store, delta("n1", 1, "app-a", T0, 0, 0, 10));
        apply(store, delta("n2", 1, "app-a", T0.plusMillis(300), 0, 0, 7));
        apply(store, delta("n1", 2, "app-a", T0.plusSeconds(1), 0, 0, 12));
        apply(store, delta("n2", 2, "app-b", T0, 0, 0, 100));

        UsageReport report = read(store, "app-a", T0, T0.plusSeconds(1), UsageStep.MINUTE);
        assertThat(report.buckets().get(0).counts().get(UsageQuantity.PEAK_CONNECTIONS)).isEqualTo(17);
        assertThat(report.total().get(UsageQuantity.PEAK_CONNECTIONS)).isEqualTo(17);
        UsageReport cluster = read(store, UsageStore.CLUSTER, T0, T0.plusSeconds(1), UsageStep.HOUR);
        assertThat(cluster.buckets().get(0).counts().get(UsageQuantity.PEAK_CONNECTIONS)).isEqualTo(117);
    }

    @Test
    void connectionsOfOneSecondAreTheSumOfEachNodesPeakInIt() {
        UsageStore store = store();
        apply(store, delta("n1", 1, "app-a", T0, 0, 0, 4));
        apply(store, delta("n1", 2, "app-a", T0.plusMillis(500), 0, 0, 6));
        apply(store, delta("n2", 1, "app-a", T0.plusMillis(900), 0, 0, 3));
        apply(store, delta("n2", 2, "app-b", T0, 0, 0, 100));

        assertThat(store.connectionsIn("app-a", T0.plusMillis(100)).block(WAIT)).isEqualTo(9);
        assertThat(store.connectionsIn("app-a", T0.plusSeconds(1)).block(WAIT)).isZero();
        assertThat(store.connectionsIn("app-c", T0).block(WAIT)).isZero();
        assertThat(store.connectionsIn(UsageStore.CLUSTER, T0).block(WAIT)).isEqualTo(109);
    }

    @Test
    void anEmptyRangeReadsZerosAndBadRangesAreRefused() {
        UsageStore store = store();
        UsageReport report = read(store, "nobody", T0, T0.plus(Duration.ofHours(3)), UsageStep.HOUR);
        assertThat(report.buckets()).hasSize(4).allSatisfy(b -> assertThat(b.counts().isZero()).isTrue());
        assertThat(report.total().isZero()).isTrue();
        assertThatThrownBy(() -> read(store, "a", T0, T0, UsageStep.MINUTE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> read(store, "a", T0, T0.plus(Duration.ofDays(30)), UsageStep.MINUTE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
