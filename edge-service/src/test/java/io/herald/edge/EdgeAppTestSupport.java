package io.herald.edge;

import io.herald.core.testing.RawClient;
import io.herald.core.testing.RedisServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One edge over a real Redis shard for a whole test class, with the class's own app declared as
 * {@code herald.apps[2]} (after {@link EdgeTestServer}'s two).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EdgeAppTestSupport {

    final String app;
    final String key;
    final String secret;
    RedisServer redis;
    EdgeTestServer server;

    EdgeAppTestSupport(String app, String key, String secret) {
        this.app = app;
        this.key = key;
        this.secret = secret;
    }

    /** More settings: {@code herald.apps[2].…} for the app, any other property for the server. */
    abstract Map<String, Object> settings();

    @BeforeAll
    void startEdge() {
        redis = RedisServer.start();
        Map<String, Object> properties = new HashMap<>(settings());
        properties.put("herald.apps[2].id", app);
        properties.put("herald.apps[2].key", key);
        properties.put("herald.apps[2].secret", secret);
        server = new EdgeTestServer(redis, properties);
    }

    @AfterAll
    void stopEdge() {
        if (server != null) {
            server.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** A raw WebSocket client of the class's app. */
    RawClient connect() {
        return RawClient.connect(server.url("/app/" + key + "?protocol=7"));
    }
}
