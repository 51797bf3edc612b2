package io.herald.core.usage;

/**
 * Where services count usage per app: the port every service that sees traffic writes to.
 *
 * <h2>What callers may rely on</h2>
 * <ul>
 * <li><b>Cheap and non-blocking.</b> Every method adds to counters in this process's memory
 * (a {@link java.util.concurrent.atomic.LongAdder} per app and quantity) and returns; none does
 * I/O, so they may be called on event loops and on the Redis I/O thread. Callers count a batch
 * with one call ({@code record(app, MESSAGES_DELIVERED, n)} after writing a message to n
 * subscribers), never once per item.</li>
 * <li><b>Flushed once per period.</b> The node sends what it counted as one {@link UsageDelta}
 * per app per flush period (1 s) to the usage stream ({@link UsageStream}); metrics-service
 * applies each delta exactly once. A node that dies loses at most what it counted since its
 * last successful flush (normally under a second); a node that stops gracefully flushes first.</li>
 * <li><b>Trusted app ids.</b> Callers pass the id of an app they found in the app store, never
 * an id taken from a request before that check: each distinct id holds counters until the next
 * flush finds it idle.</li>
 * </ul>
 * {@link #NONE} counts nothing ({@code herald.usage.enabled=false}).
 */
public interface UsageSink {

    /** Adds {@code count} (≥ 0) to {@code quantity} of {@code appId}; not for {@link UsageQuantity#PEAK_CONNECTIONS}. */
    void record(String appId, UsageQuantity quantity, long count);

    /** A connection of the app was accepted: counts it opened and raises the concurrent count (and its peak). */
    void connectionOpened(String appId);

    /** A connection counted by {@link #connectionOpened} ended: lowers the concurrent count. */
    void connectionClosed(String appId);

    /** A sink that counts nothing. */
    UsageSink NONE = new UsageSink() {
        @Override
        public void record(String appId, UsageQuantity quantity, long count) {
        }

        @Override
        public void connectionOpened(String appId) {
        }

        @Override
        public void connectionClosed(String appId) {
        }
    };
}
