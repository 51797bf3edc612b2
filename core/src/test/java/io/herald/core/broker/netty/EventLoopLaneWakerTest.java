package io.herald.core.broker.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.FanoutLanes;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EventLoopLaneWakerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ChannelKey CHANNEL = new ChannelKey("app-1", "channel-0");

    /**
     * A hand-off made inside an event loop's task (the in-memory publish runs in the HTTP
     * request's task) wakes the parked lane only after that task, so the answer the task writes
     * is not preempted by the fan-out; the delivery still runs, right after it. (With
     * {@link FanoutLanes.Waker#AT_ONCE} the lane runs during the task's busy wait and this fails.)
     */
    @Test
    void aHandOffFromAnEventLoopWakesTheLaneAfterTheLoopsTask() throws Exception {
        DefaultEventExecutor loop = new DefaultEventExecutor();
        try (FanoutLanes lanes = new FanoutLanes("herald-fanout-test", 1, 16, new EventLoopLaneWaker())) {
            awaitParked(lanes);

            AtomicBoolean ran = new AtomicBoolean();
            CountDownLatch delivered = new CountDownLatch(1);
            Future<Boolean> ranDuringTask = loop.submit(() -> {
                lanes.offer(CHANNEL, () -> {
                    ran.set(true);
                    delivered.countDown();
                });
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                // A busy wait (BlockHound refuses a park or Thread.onSpinWait on a Netty thread).
                while (!ran.get() && System.nanoTime() < end) {
                    continue;
                }
                return ran.get();
            });
            assertThat(ranDuringTask.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isFalse();
            assertThat(delivered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * A loop that no longer takes tasks (shut down) refuses the deferred wake-up; the lane is then
     * woken at once, so the delivery still runs although the loop never will again.
     */
    @Test
    @SuppressWarnings("deprecation")
    void aLoopThatRefusesTasksGetsTheLaneWokenAtOnce() throws Exception {
        DefaultEventExecutor loop = new DefaultEventExecutor();
        try (FanoutLanes lanes = new FanoutLanes("herald-fanout-test", 1, 16, new EventLoopLaneWaker())) {
            awaitParked(lanes);
            CountDownLatch delivered = new CountDownLatch(1);
            Future<Boolean> offered = loop.submit(() -> {
                // shutdown(), unlike shutdownGracefully(), refuses further tasks at once
                loop.shutdown();
                return lanes.offer(CHANNEL, delivered::countDown);
            });
            assertThat(offered.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(delivered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Off an event loop (a test thread, a timer) the parked lane is woken at once. */
    @Test
    void aHandOffFromAnyOtherThreadWakesTheLane() throws Exception {
        try (FanoutLanes lanes = new FanoutLanes("herald-fanout-test", 1, 16, new EventLoopLaneWaker())) {
            awaitParked(lanes);
            CountDownLatch delivered = new CountDownLatch(1);
            assertThat(lanes.offer(CHANNEL, delivered::countDown)).isTrue();
            assertThat(delivered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Runs one delivery and waits until the lane's thread has parked for lack of work. */
    private static void awaitParked(FanoutLanes lanes) throws InterruptedException {
        Thread[] lane = new Thread[1];
        CountDownLatch first = new CountDownLatch(1);
        assertThat(lanes.offer(CHANNEL, () -> {
            lane[0] = Thread.currentThread();
            first.countDown();
        })).isTrue();
        assertThat(first.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        long parkedBy = System.nanoTime() + TIMEOUT.toNanos();
        while (lane[0].getState() != Thread.State.WAITING && System.nanoTime() < parkedBy) {
            Thread.onSpinWait();
        }
        assertThat(lane[0].getState()).isEqualTo(Thread.State.WAITING);
    }
}
