package io.herald.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class UsageCounterTest {

    @Test
    void drainAnswersWhatWasCountedPerAppAndResets() {
        UsageCounter counter = new UsageCounter();
        counter.record("a", UsageQuantity.MESSAGES_DELIVERED, 50);
        counter.record("a", UsageQuantity.MESSAGES_DELIVERED, 7);
        counter.record("b", UsageQuantity.API_REQUESTS, 1);
        counter.record("c", UsageQuantity.CLIENT_EVENTS, 0);

        Map<String, UsageCounts> drained = counter.drain();
        assertThat(drained).containsOnlyKeys("a", "b");
        assertThat(drained.get("a").get(UsageQuantity.MESSAGES_DELIVERED)).isEqualTo(57);
        assertThat(counter.drain()).isEmpty();
    }

    @Test
    void peakIsTheMostOpenAtOnceInThePeriodAndStartsOverFromWhatIsOpen() {
        UsageCounter counter = new UsageCounter();
        counter.connectionOpened("a");
        counter.connectionOpened("a");
        counter.connectionOpened("a");
        counter.connectionClosed("a");
        counter.connectionClosed("a");

        UsageCounts first = counter.drain().get("a");
        assertThat(first.get(UsageQuantity.PEAK_CONNECTIONS)).isEqualTo(3);
        assertThat(first.get(UsageQuantity.CONNECTIONS_OPENED)).isEqualTo(3);
        // Nothing happened, one connection still open: the app still reports its peak of 1.
        UsageCounts second = counter.drain().get("a");
        assertThat(second.get(UsageQuantity.PEAK_CONNECTIONS)).isEqualTo(1);
        assertThat(second.get(UsageQuantity.CONNECTIONS_OPENED)).isZero();
        counter.connectionClosed("a");
        counter.drain();
        assertThat(counter.drain()).isEmpty();
    }

    @Test
    void noIncrementIsLostToADrainRunningAtTheSameTime() throws Exception {
        UsageCounter counter = new UsageCounter();
        int threads = 4;
        int perThread = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                }
                catch (InterruptedException ex) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    counter.record("a", UsageQuantity.MESSAGES_DELIVERED, 1);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        long total = 0;
        while (workers.stream().anyMatch(Thread::isAlive)) {
            total += counter.drain().getOrDefault("a", UsageCounts.ZERO).get(UsageQuantity.MESSAGES_DELIVERED);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        total += counter.drain().getOrDefault("a", UsageCounts.ZERO).get(UsageQuantity.MESSAGES_DELIVERED);
        assertThat(total).isEqualTo((long) threads * perThread);
    }
}
