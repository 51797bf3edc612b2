package io.herald.core.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.herald.core.testing.FanoutGate;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class InMemoryBrokerTest extends BrokerContractTest {

    @Override
    protected Broker createBroker() {
        return new InMemoryBroker();
    }

    /**
     * The queue is bounded: once the channel's lane is full a publish fails at once with
     * {@link BrokerUnavailableException} (the HTTP API's 503) instead of waiting or queueing
     * more; what was accepted is still delivered, in order.
     */
    @Test
    void aFullFanoutLaneFailsThePublishAndDeliversWhatItAccepted() throws Exception {
        try (FanoutLanes lanes = new FanoutLanes("herald-fanout-small", 1, 2)) {
            InMemoryBroker small = new InMemoryBroker(lanes);
            ChannelKey channel = new ChannelKey("app-1", "full");
            FanoutGate gate = new FanoutGate();
            TestNode node = openNode(small);
            node.subscribe(channel);
            node.holdOn("hold", gate);
            try {
                publish(small, channel, "hold");
                assertThat(gate.awaitHeld(TIMEOUT)).isTrue();
                publish(small, channel, "queued");

                StepVerifier.create(small.publish(envelope(channel, "refused")))
                        .expectError(BrokerUnavailableException.class).verify(TIMEOUT);
                assertThat(lanes.rejected()).isEqualTo(1);
            }
            finally {
                gate.release();
            }
            // Once the lane has room again (what it held has run), it takes messages again.
            node.awaitMessage(channel, "queued");
            publish(small, channel, "after");
            node.awaitMessage(channel, "after");
            assertThat(node.ids(channel)).containsExactly("hold", "queued", "after");
            small.close();
        }
    }

    /**
     * One node subscribing while another, the channel's last subscriber, unsubscribes must not
     * lose the new subscription (the set of subscribers must not be dropped from the registry
     * between being looked up and being added to). The race is narrow: this catches a
     * regression in most runs, not all.
     */
    @Test
    void aSubscribeRacingTheLastUnsubscribeIsNotLost() throws Exception {
        ChannelKey channel = new ChannelKey("app-1", "race");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // One set of lanes for every round: a broker's own would start threads 50,000 times.
        FanoutLanes lanes = new FanoutLanes("race-fanout", 1, 16);
        try {
            for (int round = 0; round < 50_000; round++) {
                InMemoryBroker broker = new InMemoryBroker(lanes);
                AtomicInteger received = new AtomicInteger();
                CountDownLatch delivered = new CountDownLatch(1);
                Broker.Node joining = broker.openNode(e -> {
                    received.incrementAndGet();
                    delivered.countDown();
                });
                Broker.Node leaving = broker.openNode(e -> { });
                leaving.subscribe(channel).block();
                CyclicBarrier start = new CyclicBarrier(2);

                CompletableFuture<Void> subscribe = CompletableFuture.runAsync(() -> {
                    await(start);
                    joining.subscribe(channel).block();
                }, pool);
                CompletableFuture<Void> unsubscribe = CompletableFuture.runAsync(() -> {
                    await(start);
                    leaving.unsubscribe(channel).block();
                }, pool);
                CompletableFuture.allOf(subscribe, unsubscribe).get(10, TimeUnit.SECONDS);
                broker.publish(envelope(channel, "m" + round)).block();
                // The fan-out runs on the lane; a lost subscription never counts down.
                assertThat(delivered.await(10, TimeUnit.SECONDS)).as("round %d", round).isTrue();
                // The probe after it on the same lane has run, so a duplicate would have shown by now.
                CountDownLatch after = new CountDownLatch(1);
                lanes.offer(channel, after::countDown);
                assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(received).as("round %d", round).hasValue(1);
            }
        }
        finally {
            pool.shutdownNow();
            lanes.close();
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
