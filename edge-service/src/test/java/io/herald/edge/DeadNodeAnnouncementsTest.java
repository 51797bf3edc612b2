package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.app.App;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * What a live edge tells a dead node's channels when it removes the dead node's share of the
 * channel state, over real Redis, while the app store cannot answer.
 */
class DeadNodeAnnouncementsTest {

    static RedisServer redis;
    static EdgeTestServer server;
    static final AtomicBoolean lookupsFail = new AtomicBoolean();

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        server = new EdgeTestServer(redis,
                Map.of("herald.state.heartbeat-interval", "250ms", "herald.state.node-timeout", "2s"),
                List.of(EdgeTestServer.wrapping(AppStore.class,
                        store -> store instanceof AppRegistry ? store : new FailingLookups(store))));
    }

    @AfterAll
    static void stop() {
        server.close();
        redis.close();
    }

    @Test
    void aDeadNodesMemberIsAnnouncedRemovedEvenWhenTheAppLookupFails() {
        ChannelKey key = new ChannelKey(EdgeTestServer.APP_ID, "presence-reaped");
        try (RawClient watcher = RawClient.connect(server.appUrl())) {
            watcher.send(TestFrames.subscribePresence(EdgeTestServer.KEY, EdgeTestServer.SECRET, watcher.established(),
                    key.channel(), "watcher"));
            watcher.next("pusher_internal:subscription_succeeded");

            lookupsFail.set(true);
            // A node that recorded a member once and then died: no heartbeat after its join.
            server.bean(ChannelState.class).join(key, "dead-" + UUID.randomUUID(), "1.2",
                    new PresenceMember("ghost", null)).block(Duration.ofSeconds(30));

            JsonNode removed = watcher.next("pusher_internal:member_removed");
            assertThat(RawClient.JSON.readTree(removed.get("data").asString()).get("user_id").asString())
                    .isEqualTo("ghost");
        }
        finally {
            lookupsFail.set(false);
        }
    }

    /** The real app store, whose lookups by id fail (as an unreachable auth-service's would) while switched on. */
    static final class FailingLookups implements AppStore, AutoCloseable {

        private final AppStore real;

        FailingLookups(AppStore real) {
            this.real = real;
        }

        @Override
        public Mono<App> findById(String appId) {
            return lookupsFail.get() ? Mono.error(new IllegalStateException("the test's app store cannot answer"))
                    : real.findById(appId);
        }

        @Override
        public Mono<App> findByKey(String key) {
            return real.findByKey(key);
        }

        @Override
        public Flux<String> changes() {
            return real.changes();
        }

        @Override
        public void close() throws Exception {
            if (real instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }
}
