package io.herald.core.testing;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Pusher's official Java client (pusher-java-client), connected to a Herald edge on localhost:
 * the one way tests open an official client. Records connection errors ({@code "code message"})
 * and the first disconnection.
 */
public final class OfficialClient implements AutoCloseable {

    public final Pusher pusher;
    public final String socketId;
    public final BlockingQueue<String> errors = new LinkedBlockingQueue<>();
    public final CompletableFuture<Void> disconnected = new CompletableFuture<>();

    private OfficialClient(String key, int port, UnaryOperator<PusherOptions> options, boolean signIn) throws Exception {
        pusher = new Pusher(key, options.apply(new PusherOptions().setHost("127.0.0.1").setWsPort(port)
                .setUseTLS(false)));
        if (signIn) {
            pusher.signin();
        }
        CompletableFuture<String> connected = new CompletableFuture<>();
        pusher.connect(new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
                if (change.getCurrentState() == ConnectionState.CONNECTED) {
                    connected.complete(pusher.getConnection().getSocketId());
                }
                if (change.getCurrentState() == ConnectionState.DISCONNECTED) {
                    disconnected.complete(null);
                }
            }

            @Override
            public void onError(String message, String code, Exception e) {
                errors.add(code + " " + message);
                if (code != null) {
                    connected.completeExceptionally(new AssertionError("connection refused: " + code + " " + message));
                }
            }
        }, ConnectionState.ALL);
        socketId = connected.get(20, TimeUnit.SECONDS);
    }

    /** Connects with plain WebSocket to {@code 127.0.0.1:port} and waits until CONNECTED. */
    public static OfficialClient connect(String key, int port) throws Exception {
        return new OfficialClient(key, port, UnaryOperator.identity(), false);
    }

    /**
     * Connects and waits until CONNECTED.
     *
     * @param options adds to the options (authorizers, …); host, port and TLS are set already
     * @throws java.util.concurrent.ExecutionException when the server refuses the connection
     */
    public static OfficialClient connect(String key, int port, UnaryOperator<PusherOptions> options) throws Exception {
        return new OfficialClient(key, port, options, false);
    }

    /**
     * Asks for user sign-in, then connects and waits until CONNECTED; the client sends
     * {@code pusher:signin} once connected. Sign-in is requested before connecting because
     * pusher-java-client's {@code signin()} is not safe to call from another thread just after
     * CONNECTED: its own CONNECTED handler may sign in a second time, and the second
     * {@code signin_success} makes the client throw "Already subscribed to a channel with name
     * #server-to-user-…".
     */
    public static OfficialClient connectSignedIn(String key, int port, UnaryOperator<PusherOptions> options)
            throws Exception {
        return new OfficialClient(key, port, options, true);
    }

    /** The next item of a queue, failing the test after 30 s. */
    public static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(30, TimeUnit.SECONDS);
        if (item == null) {
            throw new AssertionError("nothing arrived within 30 s");
        }
        return item;
    }

    @Override
    public void close() {
        pusher.disconnect();
    }
}
