package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.names.ChannelType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link SubscriptionMap}: the concurrent-map operations {@link ChannelSubscriptions} relies on
 * (a pending subscription replaced by its confirmed one, removed only if still the same), live
 * views, and no change lost when threads change it at once.
 */
class SubscriptionMapTest {

    private static final Subscription PENDING = Subscription.pending(ChannelType.of("public"), null);
    private static final Subscription OTHER = Subscription.pending(ChannelType.of("public"), null);

    @Test
    void putIfAbsentKeepsTheFirstSubscription() {
        SubscriptionMap map = new SubscriptionMap();

        assertThat(map.putIfAbsent("a", PENDING)).isNull();
        assertThat(map.putIfAbsent("a", OTHER)).isSameAs(PENDING);

        assertThat(map.get("a")).isSameAs(PENDING);
        assertThat(map).hasSize(1).containsKey("a");
    }

    @Test
    void replaceAndConditionalRemoveActOnlyOnTheExpectedSubscription() {
        SubscriptionMap map = new SubscriptionMap();
        map.put("a", PENDING);
        Subscription confirmed = PENDING.confirm();

        assertThat(map.replace("a", OTHER, confirmed)).isFalse();
        assertThat(map.get("a")).isSameAs(PENDING);
        assertThat(map.replace("a", PENDING, confirmed)).isTrue();
        assertThat(map.get("a")).isSameAs(confirmed);

        assertThat(map.remove("a", PENDING)).isFalse();
        assertThat(map).containsKey("a");
        assertThat(map.remove("a", confirmed)).isTrue();
        assertThat(map).isEmpty();
        assertThat(map.replace("a", confirmed)).isNull();
        assertThat(map).isEmpty();
    }

    @Test
    void removeAnswersThePreviousSubscriptionAndKeepsTheOthers() {
        SubscriptionMap map = new SubscriptionMap();
        map.put("a", PENDING);
        map.put("b", OTHER);
        map.put("c", PENDING);

        assertThat(map.remove("b")).isSameAs(OTHER);
        assertThat(map.remove("b")).isNull();

        assertThat(map).containsOnlyKeys("a", "c");
        assertThat(map.put("a", OTHER)).isSameAs(PENDING);
        assertThat(map).containsEntry("a", OTHER).containsEntry("c", PENDING);
    }

    @Test
    void theKeySetIsALiveViewAndItsIteratorRemoves() {
        SubscriptionMap map = new SubscriptionMap();
        Set<String> channels = map.keySet();
        map.put("a", PENDING);
        map.put("b", OTHER);

        assertThat(channels).containsExactlyInAnyOrder("a", "b");
        Iterator<String> iterator = channels.iterator();
        String first = iterator.next();
        iterator.remove();

        assertThat(map).doesNotContainKey(first).hasSize(1);
        assertThat(channels).hasSize(1);
        String second = first.equals("a") ? "b" : "a";
        assertThat(iterator.next()).isEqualTo(second);
        assertThat(map.entrySet()).containsExactly(Map.entry(second, map.get(second)));
    }

    @Test
    void anIterationSeesTheSubscriptionsOfItsStartWhileTheyChange() {
        SubscriptionMap map = new SubscriptionMap();
        map.put("a", PENDING);
        map.put("b", OTHER);

        List<String> seen = new ArrayList<>();
        for (String channel : map.keySet()) {
            seen.add(channel);
            map.put("c" + channel, PENDING);
        }

        assertThat(seen).containsExactlyInAnyOrder("a", "b");
        assertThat(map).containsOnlyKeys("a", "b", "ca", "cb");
    }

    @Test
    void noChangeIsLostWhenThreadsChangeItAtOnce() throws Exception {
        SubscriptionMap map = new SubscriptionMap();
        int threads = 4;
        int each = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        // every thread adds its own channels and adds then removes a shared one
                        map.putIfAbsent("t" + thread + "-" + i, PENDING);
                        map.putIfAbsent("shared-" + i, OTHER);
                        map.remove("shared-" + i, OTHER);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        finally {
            pool.shutdownNow();
        }

        assertThat(map).hasSize(threads * each);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < each; i++) {
                assertThat(map.get("t" + t + "-" + i)).isSameAs(PENDING);
            }
        }
        assertThat(map.keySet()).noneMatch(channel -> channel.startsWith("shared-"));
    }
}
