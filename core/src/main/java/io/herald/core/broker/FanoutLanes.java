package io.herald.core.broker;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.NonBlocking;

/**
 * Runs the local fan-out of broker messages on threads of its own, so that neither the
 * publishing request (in memory) nor the broker's I/O thread (Redis) waits for it.
 *
 * <h2>Order</h2>
 * A channel always maps to the same lane, and each lane is one FIFO queue drained by one
 * thread, so the deliveries of one channel run one after another in the order they were
 * handed over. Different channels spread over the lanes and run in parallel.
 *
 * <h2>Bound</h2>
 * A lane holds at most about {@code capacity} waiting deliveries (concurrent hand-offs may pass
 * it by one each); beyond that {@link #offer} refuses and the caller decides: the in-memory
 * broker fails the publish (HTTP 503 with {@code Retry-After}), a Redis node drops the message
 * (the broker is at-most-once) and it is counted in {@link #rejected()}.
 *
 * <h2>No lock, no blocking</h2>
 * The queue is a lock-free {@link ConcurrentLinkedQueue}. A lane's thread parks only when its
 * queue is empty and is unparked by the hand-off that finds it parked, so a busy lane costs the
 * publisher no wake-up. Lane threads are {@link NonBlocking}: a blocking call in the delivery
 * path fails under BlockHound like one on an event loop (that delivery fails and is logged; the
 * lane goes on). Nothing handed over is dropped by
 * {@link #close()}: a lane finishes its queue before its thread ends.
 */
public final class FanoutLanes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FanoutLanes.class);

    /** One lane per core, at least two: the fan-out is CPU work. */
    public static final int DEFAULT_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    /** Waiting deliveries per lane before hand-offs are refused. */
    public static final int DEFAULT_CAPACITY = 16_384;

    /**
     * How a hand-off wakes a parked lane's thread. The broker port knows no transport, so the
     * one that defers the wake-up behind an event loop's current task is given by the adapters'
     * configuration ({@code io.herald.core.broker.netty.EventLoopLaneWaker}).
     */
    @FunctionalInterface
    public interface Waker {

        /** Unparks the lane's thread at once. */
        Waker AT_ONCE = LockSupport::unpark;

        /** Makes {@code lane}, parked or about to be, run again; soon, never blocking. */
        void wake(Thread lane);
    }

    private final Lane[] lanes;
    private final int capacity;
    private final Waker waker;
    private final AtomicLong rejected = new AtomicLong();

    /**
     * @param name the prefix of the lane threads' names
     * @param threads the number of lanes, each with one thread
     * @param capacity the waiting deliveries a lane holds before it refuses more
     */
    public FanoutLanes(String name, int threads, int capacity) {
        this(name, threads, capacity, Waker.AT_ONCE);
    }

    /**
     * @param name the prefix of the lane threads' names
     * @param threads the number of lanes, each with one thread
     * @param capacity the waiting deliveries a lane holds before it refuses more
     * @param waker how a hand-off wakes a parked lane
     */
    public FanoutLanes(String name, int threads, int capacity, Waker waker) {
        Objects.requireNonNull(name, "name");
        this.waker = Objects.requireNonNull(waker, "waker");
        if (threads <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("threads and capacity must be positive");
        }
        this.capacity = capacity;
        this.lanes = new Lane[threads];
        for (int i = 0; i < threads; i++) {
            lanes[i] = new Lane(name + "-" + i);
        }
        for (Lane lane : lanes) {
            lane.thread.start();
        }
    }

    /** Lanes with the default number of threads and capacity. */
    public FanoutLanes(String name) {
        this(name, DEFAULT_THREADS, DEFAULT_CAPACITY);
    }

    /**
     * Hands a delivery to the channel's lane; never blocks.
     *
     * @return {@code false} when the lane is full (or closed) and {@code delivery} will not run
     */
    public boolean offer(ChannelKey channel, Runnable delivery) {
        Objects.requireNonNull(delivery, "delivery");
        Lane lane = lanes[laneOf(channel)];
        if (lane.closed || lane.size.get() >= capacity) {
            rejected.incrementAndGet();
            return false;
        }
        lane.size.incrementAndGet();
        lane.queue.offer(delivery);
        // Written after the queue (a volatile write inside it), read after: either the lane sees
        // the delivery before it parks, or this sees it parked and wakes it.
        if (lane.idle) {
            waker.wake(lane.thread);
        }
        return true;
    }

    int laneOf(ChannelKey channel) {
        int h = channel.hashCode();
        return Math.floorMod(h ^ (h >>> 16), lanes.length);
    }

    /** Deliveries handed over and not finished yet, over all lanes. */
    public int queued() {
        int total = 0;
        for (Lane lane : lanes) {
            total += lane.size.get();
        }
        return total;
    }

    /** Hand-offs refused because a lane was full, since start. */
    public long rejected() {
        return rejected.get();
    }

    /** Refuses further hand-offs; each lane's thread ends once it has run what it holds. Never blocks. */
    @Override
    public void close() {
        for (Lane lane : lanes) {
            lane.closed = true;
            LockSupport.unpark(lane.thread);
        }
    }

    private static final class Lane implements Runnable {

        final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
        /** Waiting plus running deliveries: the bound. */
        final AtomicInteger size = new AtomicInteger();
        final Thread thread;
        volatile boolean idle;
        volatile boolean closed;

        Lane(String name) {
            this.thread = new LaneThread(this, name);
        }

        @Override
        public void run() {
            for (;;) {
                Runnable delivery = queue.poll();
                if (delivery != null) {
                    runSafely(delivery);
                    size.decrementAndGet();
                    continue;
                }
                if (closed) {
                    return;
                }
                awaitWork();
            }
        }

        /** Parks until a hand-off (or close) unparks; the one place a lane thread waits. */
        private void awaitWork() {
            idle = true;
            if (queue.isEmpty() && !closed) {
                LockSupport.park(this);
            }
            idle = false;
        }

        /**
         * Runs one delivery; whatever it throws (a listener's bug, or an {@link Error} such as
         * BlockHound's report of a blocking call) is logged and the lane goes on, as an event
         * loop does: a lane whose thread ended would hold its channels' deliveries for ever.
         */
        private static void runSafely(Runnable delivery) {
            try {
                delivery.run();
            }
            catch (Throwable ex) {
                log.error("A fan-out delivery failed", ex);
            }
        }
    }

    /** Marked {@link NonBlocking} so that BlockHound checks the delivery path run here. */
    private static final class LaneThread extends Thread implements NonBlocking {

        LaneThread(Runnable lane, String name) {
            super(lane, name);
            setDaemon(true);
        }
    }
}
