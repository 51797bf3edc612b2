package io.herald.core.broker.netty;

import io.herald.core.broker.FanoutLanes;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes a fan-out lane after the current event-loop task when the hand-off is made on a Netty
 * event loop, at once otherwise.
 *
 * <p>The in-memory publish hands its message over inside the HTTP request's task, and a Redis
 * node inside Lettuce's read task. Woken at once, the lane (and the loops it hands the frames to)
 * compete for the core with the task that is about to write the publish's answer; on a server with
 * fewer cores than busy threads the answer then waits for the fan-out (docs/benchmarks.md, "Stop
 * 18: publish round trip under S1"). Queued behind the task, only the moment of the wake-up moves:
 * the lane sees the delivery before it parks or once it is woken, and a Lettuce read that decodes
 * several messages wakes their lanes once each after it instead of in its middle.
 */
public final class EventLoopLaneWaker implements FanoutLanes.Waker {

    @Override
    public void wake(Thread lane) {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        if (loop != null && loop.inEventLoop()) {
            try {
                loop.execute(() -> LockSupport.unpark(lane));
                return;
            }
            catch (RejectedExecutionException ex) {
                // The loop is shutting down: wake the lane at once.
            }
        }
        LockSupport.unpark(lane);
    }
}
