package io.herald.e2e;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Herald service in its own JVM, started from its module's executable jar as an operator
 * would: so that a test can kill it with SIGKILL as a crash would (no shutdown hooks, no
 * cleanup, no more heartbeats), and so that services with different dependencies (auth-service
 * brings Spring Security) do not share a classpath.
 */
final class ServiceProcess implements AutoCloseable {

    static final String EDGE = "edge-service";
    static final String AUTH = "auth-service";
    static final String PUBLISH = "publish-service";
    static final String RATE_LIMIT = "rate-limit-service";
    static final String METRICS = "metrics-service";
    static final String GATEWAY = "gateway";

    final int port;
    private final Process process;
    private final Path log;

    ServiceProcess(String module, Map<String, Object> properties) throws IOException {
        this(module, properties, freePort());
    }

    /** On a given port: to start a service again where its clients expect it. */
    ServiceProcess(String module, Map<String, Object> properties, int port) throws IOException {
        Path jar = Path.of("..", module, "target", "herald-" + module + "-0.1.0-SNAPSHOT-exec.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first (./mvnw verify "
                    + "builds every module before the end-to-end tests)");
        }
        this.port = port;
        log = Files.createTempFile("herald-" + module + "-process-", ".log");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                // C1 only and the serial collector: tests start many of these on two cores, and
                // these JVMs live for seconds, so start-up CPU matters more than peak speed.
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "--server.port=" + port,
                // no start-up warm-up: it would compete with the tests for the CPU after the port opened
                "--herald.warmup.enabled=false"));
        properties.forEach((k, v) -> command.add("--" + k + "=" + v));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Generous: the suite starts eight of these at once on CI's two cores.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The " + module + " process exited at start:\n" + Files.readString(log));
            }
            if (listening()) {
                return;
            }
            sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("The " + module + " process did not listen within 120 s:\n" + Files.readString(log));
    }

    /** Kills the process as a crash would: SIGKILL, nothing runs after it. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    static int freePort() throws IOException {
        return freePorts(1).get(0);
    }

    /**
     * {@code count} distinct free ports: the sockets are held open together until all are chosen,
     * since ports asked for one at a time may repeat (two services then bind the same one, and the
     * one that lost looks started to whoever checks the port).
     */
    static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        }
        finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
    }

    /** Its base URL. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    File logFile() {
        return log.toFile();
    }
}
