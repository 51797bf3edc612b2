package io.herald.edge;

/**
 * A token bucket of client events for one connection: {@code perSecond} tokens per second,
 * bursts up to {@code perSecond}. Used from the connection's own event loop only.
 */
final class ClientEventLimiter {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int perSecond;
    private double tokens;
    private long lastNanos = Long.MIN_VALUE;

    ClientEventLimiter(int perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
    }

    /** Takes one token; {@code false} when the connection is over its rate. */
    synchronized boolean tryAcquire(long nowNanos) {
        if (lastNanos != Long.MIN_VALUE) {
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
