package io.herald.standalone.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.client.channel.PusherEvent;
import io.herald.core.testing.ChannelRecorder;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.RedisServer;
import io.herald.core.warmup.StartupWarmup;
import io.herald.core.warmup.WarmupApp;
import io.herald.publish.warmup.PublishWarmup;
import io.herald.standalone.HeraldStandaloneApplication;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The warm-up of a node on Redis stays its own: another node on the same Redis, with a tenant's
 * subscribers on channels of the very names the warm-up uses, receives none of it; the warm-up's
 * messages cross Redis only on channels of its own random app id; and it leaves no key behind.
 */
class StartupWarmupRedisTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Names the warm-up subscribes and publishes to (of its own app). */
    private static final List<String> CHANNELS = List.of("warmup-0", "warmup-p-0", "warmup-p-1");

    private static ConfigurableApplicationContext start(RedisServer redis, String prefix, boolean warmup) {
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--herald.redis.shards[0]=" + redis.uri(), "--herald.redis.state=" + redis.uri(),
                "--herald.redis.key-prefix=" + prefix, "--herald.warmup.enabled=" + warmup,
                "--herald.warmup.connections=20", "--herald.warmup.concurrency=4", "--herald.warmup.publishes=100",
                "--herald.warmup.publish-concurrency=4", "--herald.warmup.quiet-compilation=0s"));
        return new SpringApplicationBuilder(HeraldStandaloneApplication.class).run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void anotherNodeOnTheSameRedisGetsNothingOfTheWarmUpAndNoKeyIsLeft() throws Exception {
        String prefix = RedisServer.uniquePrefix();
        try (RedisServer redis = RedisServer.start()) {
            RedisClient lettuce = RedisClient.create(redis.uri().toString());
            Set<String> warmupChannels = ConcurrentHashMap.newKeySet();
            try (StatefulRedisPubSubConnection<String, String> observer = lettuce.connectPubSub();
                    ConfigurableApplicationContext other = start(redis, prefix, false);
                    OfficialClient tenant = OfficialClient.connect("demo-key", port(other))) {
                // everything published on this Redis: a superset of what any node could receive
                observer.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String pattern, String channel, String message) {
                        // the warm-up's events are named "warmup"; this test's own markers are not its
                        if (message.contains("warmup") && !message.contains("marker")) {
                            warmupChannels.add(channel);
                        }
                    }
                });
                observer.sync().psubscribe(prefix + "*");
                // the tenant's demo app, subscribed on the other node to the channel names the warm-up uses
                List<ChannelRecorder> recorders = new ArrayList<>();
                for (String channel : CHANNELS) {
                    ChannelRecorder recorder = new ChannelRecorder();
                    tenant.pusher.subscribe(channel, recorder, "warmup", "marker");
                    recorder.subscribed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    recorders.add(recorder);
                }

                try (ConfigurableApplicationContext node = start(redis, prefix, true)) {
                    String id = node.getBean(WarmupApp.class).app().id();
                    assertThat(node.getBean(StartupWarmup.class).results().get("publish").completed()).isPositive();
                    // its own subscribers got its publishes through Redis
                    assertThat(node.getBean(PublishWarmup.class).delivered()).isPositive();

                    // a marker after the warm-up: per-channel order says the warm-up's messages would have come first
                    com.pusher.rest.Pusher publisher = new com.pusher.rest.Pusher("demo-app", "demo-key", "demo-secret");
                    publisher.setHost("127.0.0.1:" + port(node));
                    publisher.setEncrypted(false);
                    for (int i = 0; i < recorders.size(); i++) {
                        ChannelRecorder recorder = recorders.get(i);
                        String channel = CHANNELS.get(i);
                        assertThat(publisher.trigger(channel, "marker", "{}").getHttpStatus()).isEqualTo(200);
                        PusherEvent first = recorder.events.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                        assertThat(first).isNotNull();
                        assertThat(first.getEventName()).isEqualTo("marker");
                    }

                    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warmupChannels).isNotEmpty());
                    assertThat(warmupChannels).allMatch(channel -> channel.contains(id));
                    // channel state, quotas, usage: nothing of the warm-up app is left in Redis
                    // (the warm-up's last connections may still be closing: their unsubscribes clean up)
                    try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
                        await().atMost(TIMEOUT).untilAsserted(() -> {
                            List<String> keys = new ArrayList<>();
                            ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches("*" + id + "*").limit(1000))
                                    .forEachRemaining(keys::add);
                            assertThat(keys).isEmpty();
                        });
                    }
                }
            }
            finally {
                lettuce.shutdown();
            }
        }
    }
}
