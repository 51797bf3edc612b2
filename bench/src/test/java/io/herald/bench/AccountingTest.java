package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loss, gap and duplicate accounting, measured phase only, against acknowledged publishes. */
class AccountingTest {

    private static BitSet acked(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to);
        return b;
    }

    private static DeliveryTracker received(int warmup, int total, long... seqs) {
        DeliveryTracker t = new DeliveryTracker(warmup, total);
        for (long s : seqs) {
            t.onDelivery(s);
        }
        return t;
    }

    @Test
    void completeInOrderDeliveryHasNoLossNorDuplicates() {
        DeliveryTracker a = received(2, 6, 0, 1, 2, 3, 4, 5);
        DeliveryTracker b = received(2, 6, 0, 1, 2, 3, 4, 5);
        Accounting.Summary s = Accounting.summarize(acked(0, 6), 2, 6, List.of(a, b));
        assertThat(s).isEqualTo(new Accounting.Summary(8, 8, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void lossIsCountedPerSubscriberWithGaps() {
        // measured 10..19; subscriber a misses 12, 13 (one gap) and 17 (second gap); b gets all.
        DeliveryTracker a = received(10, 20, 10, 11, 14, 15, 16, 18, 19);
        DeliveryTracker b = received(10, 20, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        Accounting.Summary s = Accounting.summarize(acked(0, 20), 10, 20, List.of(a, b));
        assertThat(s.expected()).isEqualTo(20);
        assertThat(s.delivered()).isEqualTo(17);
        assertThat(s.lost()).isEqualTo(3);
        assertThat(s.gaps()).isEqualTo(2);
        assertThat(s.subscribersWithLoss()).isEqualTo(1);
    }

    @Test
    void warmupMessagesAreNeverLost() {
        DeliveryTracker a = received(5, 8, 5, 6, 7);
        Accounting.Summary s = Accounting.summarize(acked(0, 8), 5, 8, List.of(a));
        assertThat(s.lost()).isZero();
        assertThat(s.expected()).isEqualTo(3);
    }

    @Test
    void duplicatesAndOutOfOrderAreDetected() {
        DeliveryTracker a = new DeliveryTracker(0, 5);
        assertThat(a.onDelivery(0)).isEqualTo(DeliveryTracker.Outcome.MEASURED);
        assertThat(a.onDelivery(2)).isEqualTo(DeliveryTracker.Outcome.MEASURED);
        assertThat(a.onDelivery(1)).isEqualTo(DeliveryTracker.Outcome.MEASURED); // out of order
        assertThat(a.onDelivery(2)).isEqualTo(DeliveryTracker.Outcome.DUPLICATE);
        assertThat(a.onDelivery(2)).isEqualTo(DeliveryTracker.Outcome.DUPLICATE);
        assertThat(a.onDelivery(7)).isEqualTo(DeliveryTracker.Outcome.OUT_OF_RANGE);
        assertThat(a.onDelivery(-1)).isEqualTo(DeliveryTracker.Outcome.OUT_OF_RANGE);
        Accounting.Summary s = Accounting.summarize(acked(0, 5), 0, 5, List.of(a));
        assertThat(s.duplicates()).isEqualTo(2);
        assertThat(s.outOfOrder()).isEqualTo(1);
        assertThat(s.outOfRange()).isEqualTo(2);
        assertThat(s.delivered()).isEqualTo(3);
        assertThat(s.lost()).isEqualTo(2); // 3 and 4
        assertThat(s.gaps()).isEqualTo(1);
    }

    @Test
    void unacknowledgedPublishesAreNotLossButReportedWhenDelivered() {
        BitSet ack = acked(0, 6);
        ack.clear(2); // publish of 2 failed (e.g. timed out) ...
        ack.clear(4); // ... and of 4
        DeliveryTracker a = received(0, 6, 0, 1, 2, 5); // 2 arrived anyway; 3 is lost
        Accounting.Summary s = Accounting.summarize(ack, 0, 6, List.of(a));
        assertThat(s.expected()).isEqualTo(4);
        assertThat(s.delivered()).isEqualTo(3);
        assertThat(s.lost()).isEqualTo(1);
        assertThat(s.deliveredWithoutAck()).isEqualTo(1);
    }

    @Test
    void unacknowledgedNumbersDoNotSplitAGap() {
        BitSet ack = acked(0, 10);
        ack.clear(5);
        BitSet missing = new BitSet();
        missing.set(4);
        missing.set(6);
        assertThat(Accounting.countGaps(missing, ack)).isEqualTo(1);
        missing.set(8);
        assertThat(Accounting.countGaps(missing, ack)).isEqualTo(2);
    }

    @Test
    void runStateCountsLatencyOnlyForFirstMeasuredDelivery() {
        RunState run = new RunState(1, 10, 2, 5, 2);
        run.acknowledge(0);
        run.acknowledge(1);
        run.acknowledge(2);
        run.acknowledge(3);
        run.acknowledge(4);
        run.onDelivery(0, 1, 0, 1_000_000);         // warm-up: no latency sample
        run.onDelivery(0, 2, 0, 3_000_000);         // 3 ms
        run.onDelivery(0, 2, 0, 9_000_000);         // duplicate: no sample
        run.onDelivery(1, 3, 1_000_000, 2_000_000); // 1 ms
        assertThat(run.latency.getIntervalHistogram().getTotalCount()).isEqualTo(2);
        assertThat(run.measuredDeliveries.sum()).isEqualTo(2);
        assertThat(run.drained()).isFalse();
        assertThat(run.acknowledgedMeasured()).isEqualTo(3);
    }

    @Test
    void withChannelsEachSubscriberExpectsOnlyItsChannel() {
        // 2 channels, measured 4..11: channel 0 gets 4, 6, 8, 10; channel 1 gets 5, 7, 9, 11
        DeliveryTracker onChannel0 = received(4, 12, 4, 6, 10); // lost 8
        DeliveryTracker onChannel1 = received(4, 12, 5, 7, 9, 11);
        Accounting.Summary s = Accounting.summarize(acked(0, 12), 4, 12, List.of(onChannel0, onChannel1), 2);
        assertThat(s.expected()).isEqualTo(8);
        assertThat(s.delivered()).isEqualTo(7);
        assertThat(s.lost()).isEqualTo(1);
        assertThat(s.subscribersWithLoss()).isEqualTo(1);
        assertThat(s.gaps()).isEqualTo(1);
    }
}
