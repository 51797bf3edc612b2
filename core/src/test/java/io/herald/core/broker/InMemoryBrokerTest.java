package io.herald.core.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryBrokerTest extends BrokerContractTest {

    @Override
    protected Broker createBroker() {
        return new InMemoryBroker();
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
        try {
            for (int round = 0; round < 50_000; round++) {
                InMemoryBroker broker = new InMemoryBroker();
                AtomicInteger received = new AtomicInteger();
                Broker.Node joining = broker.openNode(e -> received.incrementAndGet());
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

                assertThat(received).as("round %d", round).hasValue(1);
            }
        }
        finally {
            pool.shutdownNow();
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
