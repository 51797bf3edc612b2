package io.herald.core.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.testing.FanoutGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FanoutLanesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    /**
     * Several threads hand over deliveries for several channels at once: each channel's
     * deliveries run one at a time, on one thread, and each producer's deliveries to a channel
     * in the order it handed them over.
     */
    @Test
    void eachChannelRunsInHandOverOrderUnderConcurrentProducers() throws Exception {
        int producers = 4;
        int perProducer = 5_000;
        List<ChannelKey> channels = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            channels.add(new ChannelKey("app-1", "channel-" + c));
        }
        Map<ChannelKey, Queue<int[]>> runs = new ConcurrentHashMap<>();
        Map<ChannelKey, Set<String>> threads = new ConcurrentHashMap<>();
        Map<ChannelKey, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        channels.forEach(c -> {
            runs.put(c, new ConcurrentLinkedQueue<>());
            threads.put(c, ConcurrentHashMap.newKeySet());
            running.put(c, new AtomicInteger());
        });
        CountDownLatch done = new CountDownLatch(producers * perProducer);
        try (FanoutLanes lanes = new FanoutLanes("herald-fanout-test", 3, 1_000_000)) {
            CyclicBarrier start = new CyclicBarrier(producers);
            List<Thread> started = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                Thread t = new Thread(() -> {
                    await(start);
                    for (int i = 0; i < perProducer; i++) {
                        ChannelKey channel = channels.get((i + producer) % channels.size());
                        int seq = i;
                        assertThat(lanes.offer(channel, () -> {
                            if (running.get(channel).incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            threads.get(channel).add(Thread.currentThread().getName());
                            runs.get(channel).add(new int[] { producer, seq });
                            running.get(channel).decrementAndGet();
                            done.countDown();
                        })).isTrue();
                    }
                });
                t.start();
                started.add(t);
            }
            for (Thread t : started) {
                t.join(TIMEOUT.toMillis());
            }
            assertThat(done.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(overlaps).hasValue(0);
        for (ChannelKey channel : channels) {
            assertThat(threads.get(channel)).hasSize(1);
            int[] last = new int[producers];
            java.util.Arrays.fill(last, -1);
            for (int[] run : runs.get(channel)) {
                assertThat(run[1]).as("producer %d on %s", run[0], channel).isGreaterThan(last[run[0]]);
                last[run[0]] = run[1];
            }
        }
    }

    /** A full lane refuses at once and runs everything it accepted, in order, once it moves again. */
    @Test
    void aFullLaneRefusesAndRunsWhatItAccepted() throws Exception {
        ChannelKey channel = new ChannelKey("app-1", "c");
        Queue<String> ran = new ConcurrentLinkedQueue<>();
        FanoutGate gate = new FanoutGate();
        try (FanoutLanes lanes = new FanoutLanes("herald-fanout-test", 1, 3)) {
            try {
                assertThat(lanes.offer(channel, () -> {
                    ran.add("held");
                    gate.hold();
                })).isTrue();
                assertThat(gate.awaitHeld(TIMEOUT)).isTrue();
                assertThat(lanes.offer(channel, () -> ran.add("a"))).isTrue();
                assertThat(lanes.offer(channel, () -> ran.add("b"))).isTrue();

                assertThat(lanes.offer(channel, () -> ran.add("refused"))).isFalse();
                assertThat(lanes.rejected()).isEqualTo(1);
                assertThat(lanes.queued()).isEqualTo(3);
            }
            finally {
                gate.release();
            }
            // Once what it held has run, the lane has room again.
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> lanes.queued() == 0);
            CountDownLatch last = new CountDownLatch(1);
            assertThat(lanes.offer(channel, last::countDown)).isTrue();
            assertThat(last.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(ran).containsExactly("held", "a", "b");
    }

    /**
     * A delivery that throws does not stop the lane, be it an exception or an {@link Error} (what
     * BlockHound throws for a blocking call on a lane).
     */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void aFailingDeliveryDoesNotStopTheLane(boolean error) throws Exception {
        ChannelKey channel = new ChannelKey("app-1", "c");
        CountDownLatch after = new CountDownLatch(1);
        try (FanoutLanes lanes = new FanoutLanes("herald-fanout-test", 1, 10)) {
            lanes.offer(channel, () -> {
                if (error) {
                    throw new Error("a blocking call, as BlockHound reports it");
                }
                throw new IllegalStateException("a listener's bug");
            });
            lanes.offer(channel, after::countDown);
            assertThat(after.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Closing refuses further hand-overs but runs what was handed over before. */
    @Test
    void closeRunsWhatWasHandedOverAndRefusesMore() throws Exception {
        ChannelKey channel = new ChannelKey("app-1", "c");
        FanoutGate gate = new FanoutGate();
        CountDownLatch ran = new CountDownLatch(1);
        FanoutLanes lanes = new FanoutLanes("herald-fanout-test", 1, 10);
        try {
            lanes.offer(channel, gate::hold);
            assertThat(gate.awaitHeld(TIMEOUT)).isTrue();
            lanes.offer(channel, ran::countDown);
            lanes.close();
            assertThat(lanes.offer(channel, () -> { })).isFalse();
        }
        finally {
            gate.release();
        }
        assertThat(ran.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
