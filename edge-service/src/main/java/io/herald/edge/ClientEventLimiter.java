package io.herald.edge;

/**
 * A token bucket of client events for one connection: {@code perSecond} tokens per second,
 * bursts up to {@code perSecond}, where {@code perSecond} is the app's limit at the moment of
 * each event, so a changed limit applies to open connections from their next event: the bucket
 * is capped at the new size and refills at the new rate. Full at the first event.
 */
final class ClientEventLimiter {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private double tokens;
    private long lastNanos = Long.MIN_VALUE;

    /**
     * Takes one token; {@code false} when the connection is over its rate.
     *
     * @param perSecond the app's current {@code maxClientEventsPerSecond}; positive
     */
    synchronized boolean tryAcquire(long nowNanos, int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be positive, was " + perSecond);
        }
        if (lastNanos == Long.MIN_VALUE) {
            tokens = perSecond;
        }
        else {
            tokens = Math.min(perSecond, tokens + (double) (nowNanos - lastNanos) * perSecond / NANOS_PER_SECOND);
        }
        lastNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
