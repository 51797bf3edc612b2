package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import io.herald.core.shard.ShardRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two edge nodes, two publish nodes and three Redis shards, with Pusher's official libraries on
 * both sides: pusher-java-client subscribing, pusher-http-java publishing.
 */
class ClusterTest {

    static final int SHARDS = 3;
    static Cluster cluster;
    static List<Pusher> publishers;
    static final ShardRouter router = new ShardRouter(SHARDS);

    @BeforeAll
    static void start() {
        cluster = new Cluster(SHARDS, 2, 2);
        publishers = cluster.publishers.stream().map(context -> {
            Pusher pusher = new Pusher(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
            pusher.setHost("127.0.0.1:" + Cluster.port(context));
            pusher.setEncrypted(false);
            return pusher;
        }).toList();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Pusher publisher : publishers) {
            publisher.close();
        }
        cluster.close();
    }

    /** {@code perShard} channel names with the given prefix on each shard. */
    static List<String> channelsOnEveryShard(String prefix, int perShard) {
        List<List<String>> byShard = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            byShard.add(new ArrayList<>());
        }
        for (int i = 0; byShard.stream().anyMatch(l -> l.size() < perShard); i++) {
            String channel = prefix + "-" + i;
            List<String> list = byShard.get(router.shardOf(Cluster.APP_ID, channel));
            if (list.size() < perShard) {
                list.add(channel);
            }
        }
        return byShard.stream().flatMap(List::stream).toList();
    }

    static String channelOnShard(String prefix, int shard) {
        return IntStream.range(0, 10_000).mapToObj(i -> prefix + "-" + i)
                .filter(c -> router.shardOf(Cluster.APP_ID, c) == shard).findFirst().orElseThrow();
    }

    private static void trigger(Pusher publisher, String channel, String event, Object data, String exclude) {
        Result result = exclude == null ? publisher.trigger(channel, event, data)
                : publisher.trigger(channel, event, data, exclude);
        assertThat(result.getHttpStatus()).as("%s to %s: %s", event, channel, result.getMessage()).isEqualTo(200);
    }

    private static void awaitEvent(Subscriber subscriber, String channel, String entry) {
        await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.of(channel).contains(entry));
    }

    @Test
    void everySubscriberOnEitherEdgeGetsEveryEventExactlyOnceAndInOrder() throws Exception {
        List<String> channels = channelsOnEveryShard("fanout", 2);
        List<Subscriber> subscribers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Subscriber s = new Subscriber(Cluster.port(cluster.edges.get(i % 2)));
                s.subscribe(channels, "seq", "done");
                subscribers.add(s);
            }
            int count = 20;
            for (int i = 0; i < count; i++) {
                for (String channel : channels) {
                    trigger(publishers.get(i % 2), channel, "seq", Map.of("i", i), null);
                }
            }
            // A last event per channel: per-channel order means any duplicate would arrive before it.
            for (String channel : channels) {
                trigger(publishers.get(0), channel, "done", Map.of("end", true), null);
            }
            List<String> expected = new ArrayList<>();
            IntStream.range(0, count).forEach(i -> expected.add("seq:{\"i\":" + i + "}"));
            expected.add("done:{\"end\":true}");
            for (Subscriber s : subscribers) {
                for (String channel : channels) {
                    awaitEvent(s, channel, "done:{\"end\":true}");
                    assertThat(s.of(channel)).as("%s on %s", s.socketId, channel).containsExactlyElementsOf(expected);
                }
            }
        }
        finally {
            subscribers.forEach(Subscriber::close);
        }
    }

    @Test
    void thePublishersSocketIsExcluded() throws Exception {
        String channel = "exclusion";
        try (Subscriber sender = new Subscriber(Cluster.port(cluster.edges.get(0)));
                Subscriber other = new Subscriber(Cluster.port(cluster.edges.get(1)))) {
            sender.subscribe(List.of(channel), "msg");
            other.subscribe(List.of(channel), "msg");
            trigger(publishers.get(0), channel, "msg", Map.of("n", 1), sender.socketId);
            trigger(publishers.get(1), channel, "msg", Map.of("n", 2), null);
            awaitEvent(other, channel, "msg:{\"n\":2}");
            awaitEvent(sender, channel, "msg:{\"n\":2}");
            assertThat(other.of(channel)).containsExactly("msg:{\"n\":1}", "msg:{\"n\":2}");
            assertThat(sender.of(channel)).containsExactly("msg:{\"n\":2}");
        }
    }

    @Test
    void batchEventsArriveInOrder() throws Exception {
        List<String> channels = channelsOnEveryShard("batch", 1);
        try (Subscriber s = new Subscriber(Cluster.port(cluster.edges.get(1)))) {
            s.subscribe(channels, "b");
            List<Event> batch = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                batch.add(new Event(channels.get(i % channels.size()), "b", Map.of("i", i)));
            }
            Result result = publishers.get(1).trigger(batch);
            assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
            for (int c = 0; c < channels.size(); c++) {
                String channel = channels.get(c);
                List<String> expected = new ArrayList<>();
                for (int i = c; i < 9; i += channels.size()) {
                    expected.add("b:{\"i\":" + i + "}");
                }
                awaitEvent(s, channel, expected.get(expected.size() - 1));
                assertThat(s.of(channel)).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void aStoppedShardFailsFastAndTheClusterRecoversWhenItReturns() throws Exception {
        int down = 1;
        String onDownShard = channelOnShard("outage", down);
        String onOtherShard = channelOnShard("outage", 0);
        try (Subscriber s = new Subscriber(Cluster.port(cluster.edges.get(0)))) {
            s.subscribe(List.of(onDownShard, onOtherShard), "e");
            cluster.shards.get(down).stop();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        publishers.get(0).trigger(onDownShard, "e", Map.of("lost", true)).getHttpStatus() == 503);
                Result refused = publishers.get(1).trigger(onDownShard, "e", Map.of("lost", true));
                assertThat(refused.getHttpStatus()).isEqualTo(503);
                trigger(publishers.get(1), onOtherShard, "e", Map.of("still", "working"), null);
                awaitEvent(s, onOtherShard, "e:{\"still\":\"working\"}");
            }
            finally {
                cluster.shards.get(down).restart();
            }
            // Publishers reconnect and the edge resubscribes by itself: keep publishing until events flow again.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                publishers.get(0).trigger(onDownShard, "e", Map.of("probe", true));
                return s.of(onDownShard).contains("e:{\"probe\":true}");
            });
            for (Pusher publisher : publishers) {
                trigger(publisher, onDownShard, "e", Map.of("after", publishers.indexOf(publisher)), null);
            }
            awaitEvent(s, onDownShard, "e:{\"after\":1}");
            List<String> events = s.of(onDownShard);
            assertThat(events).doesNotContain("e:{\"lost\":true}");
            assertThat(events.subList(events.size() - 2, events.size()))
                    .containsExactly("e:{\"after\":0}", "e:{\"after\":1}");
        }
    }
}
