package io.herald.publish;

import static org.awaitility.Awaitility.await;

import io.herald.core.state.ChannelState;
import io.herald.core.state.redis.RedisChannelState;
import io.herald.core.testing.RedisServer;
import io.herald.publish.testing.SignedRequests;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** Channel queries while the channel state's Redis shard is down: 503 with Retry-After, then back to 200. */
class ChannelQueryOutageTest {

    @Test
    void aQueryOnADownShardIs503AndWorksAgainWhenItReturns() {
        try (RedisServer redis = RedisServer.start()) {
            ConfigurableApplicationContext context = PublishServiceApplication.builder().run("--server.port=0",
                    "--herald.redis.shards[0]=" + redis.uri(), "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                    "--herald.apps[0].id=app-1", "--herald.apps[0].key=key-1", "--herald.apps[0].secret=secret-1");
            try {
                RedisChannelState state = (RedisChannelState) context.getBean(ChannelState.class);
                await().atMost(Duration.ofSeconds(30)).until(() -> !state.shardHealth().contains(false));
                SignedRequests api = new SignedRequests(
                        "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"), "key-1",
                        "secret-1");
                api.get("/apps/app-1/channels", Map.of()).expectStatus().isOk();

                redis.stop();
                api.get("/apps/app-1/channels/presence-x/users", Map.of()).expectStatus().isEqualTo(503)
                        .expectHeader().valueEquals("Retry-After", "1")
                        .expectBody(String.class).value(body -> org.assertj.core.api.Assertions.assertThat(body)
                                .contains("temporarily unavailable").doesNotContain("127.0.0.1"));
                api.get("/apps/app-1/channels", Map.of()).expectStatus().isEqualTo(503);

                redis.restart();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(
                        () -> api.get("/apps/app-1/channels/presence-x", Map.of()).expectStatus().isOk());
            }
            finally {
                context.close();
            }
        }
    }
}
