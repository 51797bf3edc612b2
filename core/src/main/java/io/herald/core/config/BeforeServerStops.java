package io.herald.core.config;

import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * A step run when the application stops, before the web server's graceful shutdown starts
 * waiting for open requests: its phase is the default one, higher than the web server's
 * lifecycles, so it stops first. For what must happen while connections are still open (asking
 * WebSocket clients to move, ending never-ending responses).
 */
public final class BeforeServerStops implements SmartLifecycle {

    private final Runnable step;
    private volatile boolean running;

    public BeforeServerStops(Runnable step) {
        this.step = Objects.requireNonNull(step, "step");
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        step.run();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * For a step that waits for its clients to go: sleeps (the step runs on the thread closing the
     * context, never on an event loop) while {@code condition} holds, until {@code deadline}
     * ({@link System#nanoTime}). {@code false} when interrupted.
     */
    public static boolean waitWhile(java.util.function.BooleanSupplier condition, long deadline) {
        while (condition.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
