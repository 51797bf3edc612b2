package io.herald.core.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link RedisServer}'s container mode ({@code HERALD_TEST_REDIS=container}): one redis-server in a
 * container on the engine (Testcontainers), with the arguments the process would get.
 *
 * <p>Host networking, so that the server listens on {@code 127.0.0.1:<port>} exactly as the process
 * does: it comes back on the same port after a restart, and a Sentinel's {@code 127.0.0.1:<port>}
 * reaches its master. The fixture's directory is mounted at the same path, so a persistent server's
 * append-only file and a Sentinel's configuration outlive the container. {@link #kill()} is a crash
 * (SIGKILL, then the container is removed); {@link RedisServer#restart()} starts a new container.
 *
 * <p>The image is the local {@code herald/redis:7} ({@code docker/build-images.sh} builds it;
 * {@code HERALD_TEST_REDIS_IMAGE} names another with {@code /usr/bin/redis-server}). No image is
 * ever pulled. Containers are labelled with this JVM's pid; the first container of a JVM removes
 * those of JVMs that are gone (a killed test JVM leaves its containers behind, Ryuk being off).
 * Loaded only in container mode, so process mode needs neither Testcontainers nor an engine.
 */
final class RedisContainer {

    static final String LABEL = "io.herald.test.redis-owner";
    private static final String IMAGE = System.getenv().getOrDefault("HERALD_TEST_REDIS_IMAGE",
            "herald/redis:7");
    private static final String BINARY = "/usr/bin/redis-server";
    private static boolean checked;

    private final GenericContainer<?> container;

    private RedisContainer(GenericContainer<?> container) {
        this.container = container;
    }

    @SuppressWarnings("resource") // closed by kill()
    static RedisContainer start(int port, Path dir, List<String> arguments) {
        checkOnce();
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withNetworkMode("host")
                .withLabels(Map.of(LABEL, String.valueOf(ProcessHandle.current().pid())))
                // The bind is set here rather than with withFileSystemBind, whose first use probes the
                // engine with an alpine image that cannot be pulled (it only warns, after a failed pull).
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName("herald-test-redis-" + port + "-" + Long.toHexString(System.nanoTime()))
                            .withEntrypoint(BINARY)
                            // The fixture's directory belongs to the test JVM's user (mode 700): the image's
                            // own user could not write a persistent server's file or a Sentinel's config there.
                            .withUser(owner(dir));
                    cmd.getHostConfig().withBinds(new Bind(dir.toString(), new Volume(dir.toString())));
                })
                .withCommand(arguments.toArray(String[]::new))
                // RedisServer waits for PING itself, as for a process (no shell in the image to probe with).
                .waitingFor(new AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {
                    }
                });
        container.start();
        return new RedisContainer(container);
    }

    private static String owner(Path dir) {
        try {
            return Files.getAttribute(dir, "unix:uid") + ":" + Files.getAttribute(dir, "unix:gid");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    boolean isRunning() {
        return container.isRunning();
    }

    String log() {
        return container.getLogs();
    }

    /** A crash: SIGKILL, then the container is removed. */
    void kill() {
        container.stop();
    }

    private static synchronized void checkOnce() {
        if (!checked) {
            checkEngineAndImage();
            checked = true;
        }
    }

    private static void checkEngineAndImage() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("HERALD_TEST_REDIS=container but no container engine answers: start one "
                    + "(eval \"$(docker/engine.sh)\" exports DOCKER_HOST) or unset HERALD_TEST_REDIS");
        }
        DockerClient client = DockerClientFactory.lazyClient();
        try {
            client.inspectImageCmd(IMAGE).exec();
        }
        catch (NotFoundException ex) {
            throw new IllegalStateException("HERALD_TEST_REDIS=container but the image " + IMAGE + " is not on the "
                    + "engine: build it with docker/build-images.sh, or name another in HERALD_TEST_REDIS_IMAGE", ex);
        }
        removeLeftovers(client);
    }

    /** Removes the Redis containers of test JVMs that are gone. */
    private static void removeLeftovers(DockerClient client) {
        List<Container> containers = client.listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(LABEL)).exec();
        for (Container leftover : containers) {
            String owner = leftover.getLabels().get(LABEL);
            boolean alive;
            try {
                alive = ProcessHandle.of(Long.parseLong(owner)).isPresent();
            }
            catch (NumberFormatException ex) {
                alive = false;
            }
            if (!alive) {
                client.removeContainerCmd(leftover.getId()).withForce(true).exec();
            }
        }
    }
}
