package io.herald.core.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the thread that calls {@link #hold()} (a fan-out delivery) until the test
 * {@link #release()}s it, so a test can show what completes while the fan-out has not run.
 *
 * <p>It busy-waits on a volatile flag instead of parking: fan-out threads are non-blocking
 * under BlockHound, and a gate that parked would fail there for the wrong reason. The hold
 * gives up after {@code HOLD_LIMIT}, so a test that forgets to release cannot hang a build.
 */
public final class FanoutGate {

    private static final Duration HOLD_LIMIT = Duration.ofSeconds(30);

    private final CountDownLatch held = new CountDownLatch(1);
    private volatile boolean released;
    private volatile String holder;

    /** Called by the delivery to hold: returns once released (or after the hold limit). */
    public void hold() {
        holder = Thread.currentThread().getName();
        held.countDown();
        long deadline = System.nanoTime() + HOLD_LIMIT.toNanos();
        while (!released && System.nanoTime() - deadline < 0) {
            // spin: see the class comment
        }
    }

    /** Waits (on the test's thread) until a delivery is being held. */
    public boolean awaitHeld(Duration timeout) throws InterruptedException {
        return held.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The name of the thread being held, or {@code null} before {@link #hold()}. */
    public String holder() {
        return holder;
    }

    public void release() {
        released = true;
    }
}
