package io.herald.core.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A real {@code redis-server} process on a free port: the one fixture through which Herald's
 * tests reach Redis (never a mock). It can be stopped and started again on the same port to
 * simulate a shard outage.
 *
 * <p>It can also be a Redis Sentinel monitoring another server ({@link #startSentinel}): the same
 * binary in sentinel mode ({@code redis-server <config> --sentinel}), so no other package is
 * needed.
 *
 * <p>Needs {@code redis-server} on the PATH (Debian package {@code redis-server}; {@code .ci/run}
 * installs it). Set {@code HERALD_REDIS_SERVER} to use another binary.
 *
 * <p>One switch, {@code HERALD_TEST_REDIS=container} (default {@code process}), runs the same
 * fixture in a container on the engine instead ({@link RedisContainer}: Testcontainers, the local
 * {@code herald/redis:7} image or {@code HERALD_TEST_REDIS_IMAGE}, host networking), with the same
 * API and behaviour: the same port across restarts, {@link #stop()} a crash (the container is
 * killed), a restart empty unless persistent, Sentinels monitoring {@code 127.0.0.1:port}.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    /** {@code HERALD_TEST_REDIS}: {@code process} (the default) or {@code container}. */
    static final boolean IN_CONTAINER = mode();

    private final int port;
    private final Path dir;
    /** For a Sentinel: the lines of its configuration; {@code null} for a plain server. */
    private final List<String> sentinelConfig;
    /** Whether the server keeps its data across {@link #restart()} (an append-only file). */
    private final boolean persistent;
    private Process process;
    /** In container mode, the running container (instead of {@link #process}). */
    private RedisContainer container;

    private RedisServer(int port, List<String> sentinelConfig) {
        this(port, sentinelConfig, false);
    }

    private RedisServer(int port, List<String> sentinelConfig, boolean persistent) {
        this.port = port;
        this.sentinelConfig = sentinelConfig;
        this.persistent = persistent;
        try {
            this.dir = Files.createTempDirectory("herald-redis-" + port + "-");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Starts a server on a free port. */
    public static RedisServer start() {
        RedisServer server = new RedisServer(freePort(), null);
        server.startProcess();
        return server;
    }

    /**
     * Starts a server on a free port that keeps its data across {@link #stop()} and
     * {@link #restart()} (append-only file, fsync on every write): an outage of a persistent
     * Redis, which comes back with everything it had, unlike {@link #start()}'s, which comes back
     * empty.
     */
    public static RedisServer startPersistent() {
        RedisServer server = new RedisServer(freePort(), null, true);
        server.startProcess();
        return server;
    }

    /**
     * Starts a Sentinel on a free port that monitors {@code master} under {@code masterName}
     * (quorum 1). Its {@link #uri()} is the Sentinel's own address; clients reach the master
     * through {@link #sentinelUri}.
     */
    public static RedisServer startSentinel(RedisServer master, String masterName) {
        RedisServer sentinel = new RedisServer(freePort(), List.of(
                "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1",
                "sentinel down-after-milliseconds " + masterName + " 60000"));
        sentinel.startProcess();
        return sentinel;
    }

    /** A {@code redis-sentinel://} URI over the given Sentinels, in Lettuce's syntax. */
    public static URI sentinelUri(String masterName, RedisServer... sentinels) {
        StringBuilder hosts = new StringBuilder();
        for (RedisServer sentinel : sentinels) {
            hosts.append(hosts.isEmpty() ? "" : ",").append("127.0.0.1:").append(sentinel.port());
        }
        return URI.create("redis-sentinel://" + hosts + "/0#" + masterName);
    }

    public int port() {
        return port;
    }

    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    /** A key prefix unique to one test, so tests sharing a server never see each other's keys. */
    public static String uniquePrefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    public synchronized boolean isRunning() {
        return container != null ? container.isRunning() : process != null && process.isAlive();
    }

    /** Kills the process (as a crash would); the port stays reserved for {@link #restart()}. */
    public synchronized void stop() {
        if (container != null) {
            container.kill();
            container = null;
        }
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Starts the server again on the same port. */
    public synchronized void restart() {
        stop();
        startProcess();
    }

    private synchronized void startProcess() {
        String binary = System.getenv().getOrDefault("HERALD_REDIS_SERVER", "redis-server");
        List<String> arguments = arguments();
        if (IN_CONTAINER) {
            container = RedisContainer.start(port, dir, arguments);
            awaitPing(container::isRunning, container::log);
            return;
        }
        List<String> command = new java.util.ArrayList<>();
        command.add(binary);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(new File(dir.toFile(), "redis.log"));
        try {
            process = builder.start();
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot start " + binary + ": install the redis-server package "
                    + "(apt-get install redis-server) or set HERALD_REDIS_SERVER", ex);
        }
        awaitPing(process::isAlive, this::log);
    }

    /** redis-server's arguments after the binary, the same for a process and a container. */
    private List<String> arguments() {
        List<String> command = new java.util.ArrayList<>();
        if (sentinelConfig != null) {
            // A Sentinel rewrites its configuration file, so it needs one of its own.
            Path config = dir.resolve("sentinel.conf");
            try {
                if (!Files.exists(config)) {
                    Files.write(config, sentinelConfig);
                }
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            command.addAll(List.of(config.toString(), "--sentinel"));
        }
        command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--protected-mode", "no"));
        if (sentinelConfig == null) {
            command.addAll(persistent ? List.of("--save", "", "--appendonly", "yes", "--appendfsync", "always")
                    : List.of("--save", "", "--appendonly", "no"));
        }
        return command;
    }

    private void awaitPing(java.util.function.BooleanSupplier alive, java.util.function.Supplier<String> log) {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException("redis-server exited at start: " + log.get());
            }
            if (ping()) {
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException("redis-server did not answer PING within " + START_TIMEOUT + ": " + log.get());
    }

    private static boolean mode() {
        String mode = System.getenv().getOrDefault("HERALD_TEST_REDIS", "process");
        return switch (mode) {
            case "process", "" -> false;
            case "container" -> true;
            default -> throw new IllegalStateException("HERALD_TEST_REDIS must be process or container, not " + mode);
        };
    }

    private boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[7];
            int n = socket.getInputStream().read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        }
        catch (IOException ex) {
            return false;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        }
        catch (IOException ex) {
            return "(no log)";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
