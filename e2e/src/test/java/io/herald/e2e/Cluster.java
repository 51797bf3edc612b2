package io.herald.e2e;

import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.edge.EdgeServiceApplication;
import io.herald.publish.PublishServiceApplication;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Herald cluster in one test: real {@code redis-server} shards, and edge and publish service
 * instances, all configured alike (same shards in the same order, same apps, same key prefix).
 *
 * <p>Two shapes. {@link #Cluster(int, int, int)}: edges and publish nodes in this JVM, each a
 * full Spring Boot server on its own port with its own event loops. {@link #suite}: the whole
 * suite as an operator runs it, every service its own process from its executable jar
 * ({@link ServiceProcess}): the gateway in front of the edges, the publish nodes, auth-service,
 * rate-limit-service and metrics-service, over the shards and a state Redis.
 */
final class Cluster implements AutoCloseable {

    static final String APP_ID = "e2e-app";
    static final String KEY = "e2e-key";
    static final String SECRET = "e2e-secret";

    static final String ADMIN_TOKEN = "e2e-admin-token-0d7f3b9e5a";
    static final String INTERNAL_TOKEN = "e2e-internal-token-8c2a61f4";
    static final String RATELIMIT_TOKEN = "e2e-ratelimit-token-4be09d17";

    final List<RedisServer> shards = new ArrayList<>();
    final List<ConfigurableApplicationContext> edges = new ArrayList<>();
    final List<ConfigurableApplicationContext> publishers = new ArrayList<>();
    final Map<String, Object> common = new HashMap<>();

    /** {@link #suite} only: the state Redis and every service's process. */
    RedisServer state;
    final List<ServiceProcess> edgeProcesses = new ArrayList<>();
    final List<ServiceProcess> publishProcesses = new ArrayList<>();
    ServiceProcess auth;
    ServiceProcess rateLimit;
    ServiceProcess metrics;
    ServiceProcess gateway;

    private Cluster(int shardCount) {
        common.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        common.put("herald.redis.reconnect-max-delay", "500ms");
        for (int i = 0; i < shardCount; i++) {
            RedisServer shard = RedisServer.start();
            shards.add(shard);
            common.put("herald.redis.shards[" + i + "]", shard.uri().toString());
        }
    }

    Cluster(int shardCount, int edgeCount, int publisherCount) {
        this(shardCount, edgeCount, publisherCount, Map.of());
    }

    /** @param edgeProperties added to the edges' properties only ({@code herald.edge.*}) */
    Cluster(int shardCount, int edgeCount, int publisherCount, Map<String, Object> edgeProperties) {
        this(shardCount);
        common.put("server.port", 0);
        common.put("herald.apps[0].id", APP_ID);
        common.put("herald.apps[0].key", KEY);
        common.put("herald.apps[0].secret", SECRET);
        Map<String, Object> edgeProps = new HashMap<>(common);
        // Closing the cluster with subscribed clients must not wait the 10 s handover; EdgeDrainTest sets its own.
        edgeProps.put("herald.edge.drain-handover", "0s");
        edgeProps.putAll(edgeProperties);
        for (int i = 0; i < edgeCount; i++) {
            edges.add(start(new SpringApplicationBuilder(EdgeServiceApplication.class)
                    .properties(EdgeServiceApplication.DEFAULTS), edgeProps));
        }
        for (int i = 0; i < publisherCount; i++) {
            publishers.add(start(PublishServiceApplication.builder(), common));
        }
    }

    /**
     * The whole suite, configured as in production (no in-memory adapter anywhere): apps (with
     * secrets) seeded by auth-service into the state Redis; edges reading auth-service's public
     * view and counting connections on the state Redis; publish nodes with the state Redis,
     * quotas decided by rate-limit-service and the API request rate left to the gateway;
     * metrics-service aggregating the usage stream; the gateway routing to all of them and
     * enforcing the API request rate. All start at once, on ports chosen beforehand.
     *
     * @param apps {@code herald.apps[n].*} properties
     * @param extra properties for every service (e.g. shorter intervals for tests)
     */
    static Cluster suite(int shardCount, int edgeCount, int publisherCount, Map<String, Object> apps,
            Map<String, Object> extra) throws IOException {
        Cluster cluster = new Cluster(shardCount);
        try {
            cluster.state = RedisServer.start();
            Map<String, Object> common = cluster.common;
            common.put("herald.redis.state", cluster.state.uri().toString());
            common.put("herald.auth.internal-token", INTERNAL_TOKEN);
            common.put("herald.ratelimit.internal-token", RATELIMIT_TOKEN);
            common.putAll(extra);

            // Every port chosen first, so that every service starts at once (each finds the others
            // when it first needs them: edges ask auth-service per app, the gateway health-checks).
            List<Integer> ports = ServiceProcess.freePorts(4 + edgeCount + publisherCount);
            int authPort = ports.get(0);
            int rateLimitPort = ports.get(1);
            int metricsPort = ports.get(2);
            int gatewayPort = ports.get(3);
            List<Integer> edgePorts = ports.subList(4, 4 + edgeCount);
            List<Integer> publishPorts = ports.subList(4 + edgeCount, ports.size());
            String authUrl = "http://127.0.0.1:" + authPort;
            String rateLimitUrl = "http://127.0.0.1:" + rateLimitPort;

            Map<String, Object> auth = new HashMap<>(common);
            auth.putAll(apps);
            auth.put("herald.auth.admin-token", ADMIN_TOKEN);
            Map<String, Object> metrics = new HashMap<>(common);
            metrics.put("herald.auth.admin-token", ADMIN_TOKEN);
            Map<String, Object> edge = new HashMap<>(common);
            edge.put("herald.auth.url", authUrl);
            edge.put("herald.ratelimit.nodes", edgeCount);
            Map<String, Object> publish = new HashMap<>(common);
            publish.put("herald.ratelimit.url", rateLimitUrl);
            publish.put("herald.ratelimit.nodes", publisherCount);
            publish.put("herald.publish.api-request-limit", false);
            Map<String, Object> gateway = new HashMap<>(extra);
            for (int i = 0; i < edgeCount; i++) {
                gateway.put("herald.gateway.edges[" + i + "]", "http://127.0.0.1:" + edgePorts.get(i));
            }
            for (int i = 0; i < publisherCount; i++) {
                gateway.put("herald.gateway.publishers[" + i + "]", "http://127.0.0.1:" + publishPorts.get(i));
            }
            gateway.put("herald.gateway.auth[0]", authUrl);
            gateway.put("herald.gateway.metrics[0]", "http://127.0.0.1:" + metricsPort);
            gateway.put("herald.ratelimit.url", rateLimitUrl);
            gateway.put("herald.ratelimit.internal-token", RATELIMIT_TOKEN);
            gateway.put("herald.auth.url", authUrl);
            gateway.put("herald.auth.internal-token", INTERNAL_TOKEN);

            CompletableFuture<ServiceProcess> authStarted = process(ServiceProcess.AUTH, auth, authPort);
            CompletableFuture<ServiceProcess> rateLimitStarted = process(ServiceProcess.RATE_LIMIT, common,
                    rateLimitPort);
            CompletableFuture<ServiceProcess> metricsStarted = process(ServiceProcess.METRICS, metrics, metricsPort);
            List<CompletableFuture<ServiceProcess>> edges = new ArrayList<>();
            for (int port : edgePorts) {
                edges.add(process(ServiceProcess.EDGE, edge, port));
            }
            List<CompletableFuture<ServiceProcess>> publishers = new ArrayList<>();
            for (int port : publishPorts) {
                publishers.add(process(ServiceProcess.PUBLISH, publish, port));
            }
            CompletableFuture<ServiceProcess> gatewayStarted = process(ServiceProcess.GATEWAY, gateway, gatewayPort);
            List<CompletableFuture<ServiceProcess>> all = new ArrayList<>(List.of(authStarted, rateLimitStarted,
                    metricsStarted, gatewayStarted));
            all.addAll(edges);
            all.addAll(publishers);
            try {
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            }
            catch (CompletionException ex) {
                // One did not start: end those that did (close() below knows only the kept ones).
                all.stream().filter(f -> !f.isCompletedExceptionally()).forEach(f -> f.join().close());
                throw ex;
            }
            cluster.auth = authStarted.join();
            cluster.rateLimit = rateLimitStarted.join();
            cluster.metrics = metricsStarted.join();
            edges.forEach(started -> cluster.edgeProcesses.add(started.join()));
            publishers.forEach(started -> cluster.publishProcesses.add(started.join()));
            cluster.gateway = gatewayStarted.join();
            return cluster;
        }
        catch (RuntimeException | IOException ex) {
            cluster.close();
            if (ex instanceof CompletionException && ex.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw ex;
        }
    }

    private static CompletableFuture<ServiceProcess> process(String module, Map<String, Object> properties,
            int port) {
        // A thread each: the common pool has one thread on two cores, and each start waits.
        CompletableFuture<ServiceProcess> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                started.complete(new ServiceProcess(module, properties, port));
            }
            catch (IOException | RuntimeException ex) {
                started.completeExceptionally(ex);
            }
        }, "start-" + module);
        starter.setDaemon(true);
        starter.start();
        return started;
    }

    /** Every process of the suite (none for the in-process shape). */
    List<ServiceProcess> processes() {
        List<ServiceProcess> all = new ArrayList<>();
        for (ServiceProcess process : new ServiceProcess[] { gateway, auth, rateLimit, metrics }) {
            if (process != null) {
                all.add(process);
            }
        }
        all.addAll(edgeProcesses);
        all.addAll(publishProcesses);
        return all;
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
        processes().forEach(ServiceProcess::close);
        shards.forEach(RedisServer::close);
        if (state != null) {
            state.close();
        }
    }
}
