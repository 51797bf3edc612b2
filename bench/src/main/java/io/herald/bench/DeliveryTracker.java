package io.herald.bench;

import java.util.BitSet;

/**
 * What one subscriber received in one run: which sequence numbers, how many duplicates and how
 * many arrived after a higher one. Sequence numbers {@code [0, warmup)} are the warm-up phase,
 * {@code [warmup, total)} the measured phase. Deliveries for one connection arrive on one event
 * loop thread; the lock only makes the final read from the main thread safe.
 */
final class DeliveryTracker {

    enum Outcome { MEASURED, WARMUP, DUPLICATE, OUT_OF_RANGE }

    private final int warmup;
    private final int total;
    private final BitSet received;
    private long duplicates;
    private long outOfOrder;
    private long outOfRange;
    private long measuredDistinct;
    private long maxSeen = -1;

    DeliveryTracker(int warmup, int total) {
        if (warmup < 0 || total < warmup) {
            throw new IllegalArgumentException("need 0 <= warmup <= total");
        }
        this.warmup = warmup;
        this.total = total;
        this.received = new BitSet(total);
    }

    synchronized Outcome onDelivery(long seq) {
        if (seq < 0 || seq >= total) {
            outOfRange++;
            return Outcome.OUT_OF_RANGE;
        }
        int s = (int) seq;
        if (received.get(s)) {
            duplicates++;
            return Outcome.DUPLICATE;
        }
        received.set(s);
        if (seq < maxSeen) {
            outOfOrder++;
        }
        else {
            maxSeen = seq;
        }
        if (s >= warmup) {
            measuredDistinct++;
            return Outcome.MEASURED;
        }
        return Outcome.WARMUP;
    }

    synchronized long measuredDistinct() {
        return measuredDistinct;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long outOfOrder() {
        return outOfOrder;
    }

    synchronized long outOfRange() {
        return outOfRange;
    }

    synchronized BitSet receivedCopy() {
        return (BitSet) received.clone();
    }

    int warmup() {
        return warmup;
    }

    int total() {
        return total;
    }
}
