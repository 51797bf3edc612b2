package io.herald.core.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.ChannelKey;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.state.ChannelStateTimeoutException;
import io.herald.core.state.ChannelStateUnavailableException;
import io.herald.core.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * A shard that is up but does not answer in time is told apart from one that cannot be reached
 * (issue 8), on a real {@code redis-server}: paused with {@code CLIENT PAUSE} beyond a short
 * command timeout, then stopped. And why a timed-out join must be undone: Redis runs it later.
 */
class RedisChannelStateTimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aTimeoutIsATimeoutWhoseJoinMayStillBeRecordedAndAnOutageIsNot() {
        try (RedisServer redis = RedisServer.start()) {
            RedisConnections connections = new RedisConnections(new RedisProperties(List.of(redis.uri()),
                    RedisServer.uniquePrefix(), Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofMillis(500)));
            RedisChannelState state = new RedisChannelState(connections.shards(), Duration.ofSeconds(10));
            RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
            try (StatefulRedisConnection<String, String> control = admin.connect()) {
                await().atMost(WAIT).until(() -> !state.shardHealth().contains(false));
                ChannelKey key = new ChannelKey("app-1", "slow");
                // Once, so that Redis knows the script: a first EVALSHA that times out is never resent as EVAL.
                state.join(new ChannelKey("app-1", "warm-up"), "n1", "1.0", null).block(WAIT);

                control.sync().clientPause(1500);
                StepVerifier.create(state.join(key, "n1", "1.1", null))
                        .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(ChannelStateTimeoutException.class)
                                .hasMessageContaining("did not answer in time").hasMessageNotContaining("unavailable"))
                        .verify(WAIT);
                // Redis ran the join once the pause was over: the caller that gave up must leave.
                await().atMost(WAIT).ignoreExceptions().until(() -> state.subscriptionCount(key).block(WAIT) == 1);
                state.leave(key, "n1", "1.1", null).block(WAIT);
                assertThat(state.subscriptionCount(key).block(WAIT)).isZero();

                redis.stop();
                StepVerifier.create(state.join(key, "n1", "1.2", null))
                        .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(ChannelStateUnavailableException.class)
                                .isNotInstanceOf(ChannelStateTimeoutException.class).hasMessageContaining("unavailable"))
                        .verify(WAIT);
            }
            finally {
                state.close();
                connections.close();
                admin.shutdown();
            }
        }
    }
}
