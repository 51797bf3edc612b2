package io.herald.bench;

import java.util.BitSet;
import java.util.List;

/**
 * Loss and duplicate accounting over all subscribers of a run, for the measured phase only.
 * A message counts as expected by a subscriber when its publish was acknowledged (HTTP 2xx);
 * a message whose publish failed is a publish error, not a loss.
 */
final class Accounting {

    /**
     * @param expected acknowledged measured messages x subscribers
     * @param delivered expected deliveries that arrived (distinct), over all subscribers
     * @param lost expected deliveries that never arrived
     * @param gaps runs of consecutive lost sequence numbers, summed over subscribers
     * @param duplicates deliveries of a sequence number a subscriber already had (any phase)
     * @param outOfOrder deliveries of a sequence number lower than one already received
     * @param subscribersWithLoss subscribers that lost at least one message
     * @param deliveredWithoutAck deliveries of measured messages whose publish was not acknowledged
     * @param outOfRange deliveries with a sequence number this run never published
     */
    record Summary(long expected, long delivered, long lost, long gaps, long duplicates, long outOfOrder,
            long subscribersWithLoss, long deliveredWithoutAck, long outOfRange) {
    }

    private Accounting() {
    }

    static Summary summarize(BitSet acknowledged, int warmup, int total, List<DeliveryTracker> trackers) {
        return summarize(acknowledged, warmup, total, trackers, 1);
    }

    /**
     * As above, with the subscribers spread over {@code channels} channels: subscriber i is on
     * channel {@code i mod channels} and message s was published to channel {@code s mod channels},
     * so a subscriber expects only the acknowledged messages of its own channel.
     */
    static Summary summarize(BitSet acknowledged, int warmup, int total, List<DeliveryTracker> trackers,
            int channels) {
        BitSet allMeasured = (BitSet) acknowledged.clone();
        allMeasured.clear(0, warmup);
        allMeasured.clear(total, Math.max(total, allMeasured.length()));
        BitSet[] perChannel = new BitSet[channels];
        if (channels == 1) {
            perChannel[0] = allMeasured;
        }
        else {
            for (int c = 0; c < channels; c++) {
                perChannel[c] = new BitSet(total);
            }
            for (int s = allMeasured.nextSetBit(0); s >= 0; s = allMeasured.nextSetBit(s + 1)) {
                perChannel[s % channels].set(s);
            }
        }
        long expected = 0;
        long delivered = 0;
        long lost = 0;
        long gaps = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long withLoss = 0;
        long withoutAck = 0;
        long outOfRange = 0;
        for (int i = 0; i < trackers.size(); i++) {
            DeliveryTracker tracker = trackers.get(i);
            BitSet ackMeasured = perChannel[i % channels];
            long ackCount = ackMeasured.cardinality();
            BitSet received = tracker.receivedCopy();
            received.clear(0, warmup);
            expected += ackCount;
            BitSet deliveredAcked = (BitSet) received.clone();
            deliveredAcked.and(ackMeasured);
            delivered += deliveredAcked.cardinality();

            BitSet missing = (BitSet) ackMeasured.clone();
            missing.andNot(received);
            long subscriberLost = missing.cardinality();
            lost += subscriberLost;
            if (subscriberLost > 0) {
                withLoss++;
                gaps += countGaps(missing, ackMeasured);
            }
            BitSet unacked = (BitSet) received.clone();
            unacked.andNot(ackMeasured);
            withoutAck += unacked.cardinality();

            duplicates += tracker.duplicates();
            outOfOrder += tracker.outOfOrder();
            outOfRange += tracker.outOfRange();
        }
        return new Summary(expected, delivered, lost, gaps, duplicates, outOfOrder, withLoss, withoutAck, outOfRange);
    }

    /**
     * Runs of missing sequence numbers, where a run is only broken by a message that was both
     * acknowledged and received (unacknowledged numbers in between do not split a gap).
     */
    static long countGaps(BitSet missing, BitSet acknowledged) {
        long gaps = 0;
        int prev = -2;
        for (int i = missing.nextSetBit(0); i >= 0; i = missing.nextSetBit(i + 1)) {
            if (prev < 0) {
                gaps++;
            }
            else {
                // A gap continues if no acknowledged-and-received message lies between prev and i.
                int ackBetween = acknowledged.nextSetBit(prev + 1);
                if (ackBetween >= 0 && ackBetween < i) {
                    gaps++;
                }
            }
            prev = i;
        }
        return gaps;
    }
}
