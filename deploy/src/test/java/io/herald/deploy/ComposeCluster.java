package io.herald.deploy;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker/compose.yaml} as written, started with Testcontainers' compose support and the local
 * {@code docker-compose} binary (against the engine in {@code DOCKER_HOST}) under a project of its own
 * ({@code heraldct<pid>x…}), with the file's variables set for the test (images tag, gateway port,
 * admin token), and the channel shards' services read from the file in the order the edges list them.
 * Testcontainers' port exposure ({@code withExposedService}) is not used: it needs its ambassador
 * image (socat), which cannot be pulled here; the gateway's port is published by the file itself.
 */
final class ComposeCluster implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SHARD_URI = Pattern.compile("redis://([A-Za-z0-9_.-]+):(\\d+)");

    final Path file;
    final Map<String, Object> services;
    final DockerComposeContainer<?> compose;
    /** The channel shards' services, by shard index (the order of the edges' shard list). */
    final List<String> shardServices;
    final String adminToken = "cluster-test-admin-" + java.util.UUID.randomUUID();
    final int gatewayPort;

    @SuppressWarnings("unchecked")
    ComposeCluster(Path file, String imageTag) throws IOException {
        this.file = file;
        Map<String, Object> root = new Yaml().load(Files.readString(file));
        this.services = (Map<String, Object>) root.get("services");
        this.shardServices = shardServices();
        this.gatewayPort = freePort();
        String project = ContainerEngine.PROJECT_PREFIX + ProcessHandle.current().pid() + "x";
        // The file's own variables: the images of this checkout, the gateway on a free host port
        // (several runs may share the engine), an admin token of this run's.
        this.compose = new DockerComposeContainer<>(project, List.of(file.toFile()))
                .withEnv(Map.of("HERALD_IMAGE_TAG", imageTag, "HERALD_GATEWAY_PORT", String.valueOf(gatewayPort),
                        "HERALD_ADMIN_TOKEN", adminToken))
                .withPull(false)
                .withBuild(false)
                .withRemoveVolumes(true)
                .withStartupTimeout(Duration.ofMinutes(3));
    }

    /** {@code docker-compose up -d}, then waits until the gateway's health is UP. */
    void start() {
        compose.start();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> get("/actuator/health", null).statusCode() == 200);
    }

    ContainerState container(String service) {
        return compose.getContainerByServiceName(service)
                .orElseThrow(() -> new AssertionError("no container of service " + service + " in " + file));
    }

    String containerId(String service) {
        return container(service).getContainerId();
    }

    /** Kills a service's container (a crash), leaving it to be started again with {@link #startAgain}. */
    void kill(String service) {
        ContainerEngine.client().killContainerCmd(containerId(service)).exec();
    }

    void startAgain(String service) {
        ContainerEngine.client().startContainerCmd(containerId(service)).exec();
    }

    /** Writes each container's log (stdout and stderr) to {@code dir/<service>.log}. */
    void saveLogs(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (String service : services.keySet()) {
            java.util.Optional<ContainerState> container = compose.getContainerByServiceName(service);
            if (container.isEmpty()) {
                continue;
            }
            StringBuilder log = new StringBuilder();
            ContainerEngine.client().logContainerCmd(container.get().getContainerId()).withStdOut(true)
                    .withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            log.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }).awaitCompletion(30, java.util.concurrent.TimeUnit.SECONDS);
            Files.writeString(dir.resolve(service + ".log"), log);
        }
    }

    String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl() + path))
                .timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs JSON to the admin API through the gateway with the operator's token. */
    HttpResponse<String> admin(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(gatewayUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Override
    public void close() {
        compose.stop();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> service(String name) {
        Object service = services.get(name);
        if (service == null) {
            throw new AssertionError("no service " + name + " in " + file + " (services: " + services.keySet() + ")");
        }
        return (Map<String, Object>) service;
    }

    /** The shard services named by an edge's {@code HERALD_REDIS_SHARDS*} in index order. */
    private List<String> shardServices() {
        String edge = services.keySet().stream().filter(name -> name.startsWith("edge")).findFirst()
                .orElseThrow(() -> new AssertionError("no edge service in " + file));
        Map<String, String> environment = environment(service(edge));
        Map<Integer, String> byIndex = new java.util.TreeMap<>();
        String list = environment.get("HERALD_REDIS_SHARDS");
        if (list != null) {
            int i = 0;
            Matcher matcher = SHARD_URI.matcher(list);
            while (matcher.find()) {
                byIndex.put(i++, matcher.group(1));
            }
        }
        Pattern indexed = Pattern.compile("HERALD_REDIS_SHARDS_(\\d+)_?");
        environment.forEach((key, value) -> {
            Matcher name = indexed.matcher(key);
            Matcher uri = SHARD_URI.matcher(value);
            if (name.matches() && uri.find()) {
                byIndex.put(Integer.parseInt(name.group(1)), uri.group(1));
            }
        });
        if (byIndex.isEmpty()) {
            throw new AssertionError("no HERALD_REDIS_SHARDS in " + edge + "'s environment in " + file);
        }
        return new ArrayList<>(byIndex.values());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> result = new LinkedHashMap<>();
        Object environment = service.get("environment");
        if (environment instanceof Map<?, ?> map) {
            map.forEach((key, value) -> result.put(String.valueOf(key), String.valueOf(value)));
        }
        else if (environment instanceof List<?> list) {
            for (Object entry : list) {
                String line = String.valueOf(entry);
                int eq = line.indexOf('=');
                if (eq > 0) {
                    result.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return result;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
