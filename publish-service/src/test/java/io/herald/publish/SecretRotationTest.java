package io.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.core.app.App;
import io.herald.core.app.redis.RedisAppStore;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.core.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * After a secret rotation with a grace period, the HTTP API accepts requests that the official
 * pusher-http-java SDK signs with the previous secret until the grace ends, and refuses them (401)
 * after. The rotation is written to the state Redis as auth-service writes it; the service's clock
 * is moved by hand.
 */
class SecretRotationTest {

    static final String APP = "rotating";
    static final String KEY = "rotating-key";
    static final String OLD_SECRET = "old-secret-6a1f0c9e2b";
    static final String NEW_SECRET = "new-secret-93d7e4a810";
    static final Duration GRACE = Duration.ofSeconds(60);

    final TestClock clock = new TestClock();
    RedisServer redis;
    RedisConnections connections;
    RedisAppStore registry;
    ConfigurableApplicationContext context;
    Pusher withOldSecret;
    Pusher withNewSecret;

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        String prefix = RedisServer.uniquePrefix();
        context = PublishServiceApplication.builder()
                .initializers(ServerTesting::ownEventLoops)
                .initializers(ctx -> ((GenericApplicationContext) ctx).registerBean("testClock", Clock.class,
                        () -> clock))
                .run("--server.port=0", "--herald.redis.state=" + redis.uri(), "--herald.redis.key-prefix=" + prefix,
                        "--herald.apps[0].id=" + APP, "--herald.apps[0].key=" + KEY,
                        "--herald.apps[0].secret=" + OLD_SECRET);
        // What auth-service holds: the same state Redis, the same prefix.
        connections = new RedisConnections(new RedisProperties(List.of(), prefix, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofSeconds(2), redis.uri()));
        registry = new RedisAppStore(connections);
        int port = ServerTesting.port(context);
        withOldSecret = sdk(OLD_SECRET, port);
        withNewSecret = sdk(NEW_SECRET, port);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] { withOldSecret, withNewSecret, registry, connections, context, redis }) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void thePreviousSecretSignsUntilTheGraceEndsAndNotAfter() {
        assertThat(trigger(withOldSecret).getHttpStatus()).isEqualTo(200);

        // rotate-secret as auth-service's admin API does it.
        registry.update(APP, app -> new App(app.id(), app.key(), NEW_SECRET, app.name(), app.enabled(), app.limits(),
                app.features(), app.webhooks(), app.secret(), clock.instant().plus(GRACE)))
                .block(Duration.ofSeconds(30));
        // The change announcement reaches the service's cache.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> trigger(withNewSecret).getHttpStatus() == 200);

        Result duringGrace = trigger(withOldSecret);
        assertThat(duringGrace.getHttpStatus()).as(duringGrace.getMessage()).isEqualTo(200);

        // Within the 600 s timestamp window, so only the secret can make the difference.
        clock.advance(GRACE.plusSeconds(1));

        Result afterGrace = trigger(withOldSecret);
        assertThat(afterGrace.getHttpStatus()).isEqualTo(401);
        assertThat(afterGrace.getMessage()).contains("Invalid signature");
        assertThat(trigger(withNewSecret).getHttpStatus()).isEqualTo(200);
    }

    private static Result trigger(Pusher pusher) {
        return pusher.trigger("rotation", "tick", Map.of("n", 1));
    }

    private static Pusher sdk(String secret, int port) {
        Pusher pusher = new Pusher(APP, KEY, secret);
        pusher.setHost("127.0.0.1:" + port);
        pusher.setEncrypted(false);
        return pusher;
    }
}
