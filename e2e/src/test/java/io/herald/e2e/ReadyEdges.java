package io.herald.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP load balancer in front of edges: each new connection goes to the next edge, round robin,
 * among those whose {@code /actuator/health/readiness} answered 200 at the last health check. The
 * checks run every {@code healthInterval}, as the gateway's load balancer does (every 5 s), so a
 * draining edge keeps getting new connections for up to that long; with a zero interval readiness
 * is asked at each connection (an edge leaves the rotation at once, as a Kubernetes Service's
 * endpoints after the preStop sleep). Bytes are copied both ways by two plain threads per
 * connection; test-only.
 */
final class ReadyEdges implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<Integer> edgePorts;
    private final ServerSocket server;
    private final AtomicInteger next = new AtomicInteger();
    private final Thread acceptor;
    private final Duration healthInterval;
    private final Map<Integer, Boolean> lastHealth = new ConcurrentHashMap<>();
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ready-edges-health");
        t.setDaemon(true);
        return t;
    });

    ReadyEdges(List<Integer> edgePorts, Duration healthInterval) throws IOException {
        this.edgePorts = List.copyOf(edgePorts);
        this.healthInterval = healthInterval;
        if (!healthInterval.isZero()) {
            edgePorts.forEach(port -> lastHealth.put(port, ready(port)));
            checks.scheduleWithFixedDelay(() -> this.edgePorts.forEach(port -> lastHealth.put(port, ready(port))),
                    healthInterval.toMillis(), healthInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "ready-edges");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            }
            catch (IOException ex) {
                return;
            }
            Thread connecting = new Thread(() -> route(client), "ready-edges-route");
            connecting.setDaemon(true);
            connecting.start();
        }
    }

    private void route(Socket client) {
        Integer port = pick();
        if (port == null) {
            closeQuietly(client);
            return;
        }
        try {
            Socket edge = new Socket(InetAddress.getLoopbackAddress(), port);
            pipe(client, edge);
            pipe(edge, client);
        }
        catch (IOException ex) {
            closeQuietly(client);
        }
    }

    /** The next ready edge, or {@code null} when none is. */
    private Integer pick() {
        for (int tried = 0; tried < edgePorts.size(); tried++) {
            int port = edgePorts.get(Math.floorMod(next.getAndIncrement(), edgePorts.size()));
            if (healthInterval.isZero() ? ready(port) : lastHealth.getOrDefault(port, false)) {
                return port;
            }
        }
        return null;
    }

    private static boolean ready(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void pipe(Socket from, Socket to) {
        Thread copy = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            catch (IOException ex) {
                // one side went away
            }
            finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "ready-edges-copy");
        copy.setDaemon(true);
        copy.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        }
        catch (IOException ex) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        checks.shutdownNow();
        server.close();
    }
}
