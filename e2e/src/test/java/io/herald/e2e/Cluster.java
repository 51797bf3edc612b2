package io.herald.e2e;

import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.edge.EdgeServiceApplication;
import io.herald.publish.PublishServiceApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Herald cluster in one test: real {@code redis-server} shards, and edge and publish service
 * instances, each a full Spring Boot server on its own port with its own event loops, all
 * configured alike (same shards in the same order, same apps, same key prefix).
 */
final class Cluster implements AutoCloseable {

    static final String APP_ID = "e2e-app";
    static final String KEY = "e2e-key";
    static final String SECRET = "e2e-secret";

    final List<RedisServer> shards = new ArrayList<>();
    final List<ConfigurableApplicationContext> edges = new ArrayList<>();
    final List<ConfigurableApplicationContext> publishers = new ArrayList<>();

    Cluster(int shardCount, int edgeCount, int publisherCount) {
        Map<String, Object> common = new HashMap<>();
        common.put("server.port", 0);
        common.put("herald.apps[0].id", APP_ID);
        common.put("herald.apps[0].key", KEY);
        common.put("herald.apps[0].secret", SECRET);
        common.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        common.put("herald.redis.reconnect-max-delay", "500ms");
        for (int i = 0; i < shardCount; i++) {
            RedisServer shard = RedisServer.start();
            shards.add(shard);
            common.put("herald.redis.shards[" + i + "]", shard.uri().toString());
        }
        for (int i = 0; i < edgeCount; i++) {
            edges.add(start(new SpringApplicationBuilder(EdgeServiceApplication.class)
                    .properties(EdgeServiceApplication.DEFAULTS), common));
        }
        for (int i = 0; i < publisherCount; i++) {
            publishers.add(start(PublishServiceApplication.builder(), common));
        }
    }

    private static ConfigurableApplicationContext start(SpringApplicationBuilder builder, Map<String, Object> props) {
        return builder.properties(props).initializers(ServerTesting::ownEventLoops).run();
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @Override
    public void close() {
        edges.forEach(ConfigurableApplicationContext::close);
        publishers.forEach(ConfigurableApplicationContext::close);
        shards.forEach(RedisServer::close);
    }
}
