package io.herald.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

/**
 * HTTP/1.1 over a bare socket, for tests of what no well-behaved client sends: a trickle of
 * header bytes, a 10 kB request line, oversized headers.
 */
public final class RawHttp {

    /** How long a test waits for the server to answer or cut a connection: far beyond any test timeout. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private RawHttp() {
    }

    /** A connected socket whose reads give up after {@link #WAIT}. */
    public static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) WAIT.toMillis());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    /** Sends {@code request} and returns everything the server sends until it closes the connection. */
    public static String exchange(int port, String request) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return readUntilClosed(socket);
        }
    }

    /**
     * Starts a request, then sends one more header byte every {@code pause} for far longer than
     * any header-read timeout of a test; returns what the server sent before it closed the
     * connection. Fails (a read timeout) when the server holds the connection beyond {@link #WAIT}.
     */
    public static String trickleHeaders(int port, String path, Duration pause) throws IOException {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long bytes = WAIT.toMillis() / Math.max(1, pause.toMillis()) + 10;
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    out.write("X-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    for (long i = 0; i < bytes; i++) {
                        out.write('a');
                        out.flush();
                        Thread.sleep(pause.toMillis());
                    }
                }
                catch (IOException ex) {
                    // Cut by the server: what the test expects.
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                return readUntilClosed(socket);
            }
            finally {
                trickle.cancel(true);
            }
        }
    }

    /** Everything the server sends until it closes the connection; a read timeout if it does not within {@link #WAIT}. */
    public static String readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1;) {
                received.write(buffer, 0, n);
            }
        }
        catch (SocketException ex) {
            // A reset after the answer ends the connection too.
        }
        return received.toString(StandardCharsets.US_ASCII);
    }

    /** The JSON body of a raw response. */
    public static JsonNode jsonBody(String response) {
        int start = response.indexOf("\r\n\r\n");
        if (start < 0) {
            throw new AssertionError("No body in: " + response);
        }
        return RawClient.JSON.readTree(response.substring(start + 4));
    }

    /** A GET whose request line is {@code length} characters past the path's slash. */
    public static String longUriRequest(int length) {
        return "GET /" + "a".repeat(length) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    /** A GET of {@code path} with one header of {@code length} characters. */
    public static String hugeHeaderRequest(String path, int length) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(length) + "\r\n\r\n";
    }

    /** Asserts a refusal carries Herald's JSON error body with {@code status}. */
    public static void assertHeraldError(String response, int status) {
        if (!response.startsWith("HTTP/1.1 " + status)) {
            throw new AssertionError("Expected " + status + " but got: " + head(response));
        }
        if (!response.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json")) {
            throw new AssertionError("Not JSON: " + head(response));
        }
        JsonNode body = jsonBody(response);
        if (body.path("status").asInt() != status || body.path("error").asString("").isBlank()) {
            throw new AssertionError("Not Herald's error body: " + body);
        }
    }

    private static String head(String response) {
        return response.length() > 300 ? response.substring(0, 300) : response;
    }
}
