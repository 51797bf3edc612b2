package io.herald.core.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A bare WebSocket client for protocol tests (the JDK's), recording every text frame and the
 * close code. Compatibility is proven with the official Pusher client elsewhere; this one lets
 * tests send what no official client would.
 */
public final class RawClient implements WebSocket.Listener, AutoCloseable {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(30); // generous: CI machines may be loaded
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    public static RawClient connect(String url) {
        RawClient client = new RawClient();
        client.socket = HTTP.newWebSocketBuilder().connectTimeout(WAIT)
                .buildAsync(URI.create(url), client).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return client;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(JSON.readTree(partial.toString()));
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next frame, failing the test after a generous wait. */
    public JsonNode next() {
        try {
            JsonNode frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("No frame within " + WAIT);
            }
            return frame;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** The next frame with this event, skipping others (e.g. pings). */
    public JsonNode next(String event) {
        while (true) {
            JsonNode frame = next();
            if (event.equals(frame.get("event").asString())) {
                return frame;
            }
        }
    }

    /** The socket id from {@code pusher:connection_established}. */
    public String established() {
        JsonNode frame = next("pusher:connection_established");
        return JSON.readTree(frame.get("data").asString()).get("socket_id").asString();
    }

    /**
     * Sends {@code pusher:signin} with {@code userData}, signed with the app's key and secret as the
     * app's server would, and waits for {@code pusher:signin_success}.
     */
    public void signIn(String socketId, String key, String secret, String userData) {
        tools.jackson.databind.node.ObjectNode signin = JSON.createObjectNode();
        signin.put("event", "pusher:signin");
        signin.putObject("data").put("user_data", userData).put("auth", io.herald.core.signature.ChannelSignatures
                .token(key, secret, io.herald.core.signature.ChannelSignatures.userStringToSign(socketId, userData)));
        send(signin.toString());
        next("pusher:signin_success");
    }

    /** The next {@code pusher_internal:watchlist_events} as {@code name=[ids]} strings, e.g. {@code online=[bob]}. */
    public java.util.List<String> nextWatchlistEvents() {
        JsonNode frame = next("pusher_internal:watchlist_events");
        if (frame.has("channel")) {
            throw new AssertionError("watchlist events carry no channel: " + frame);
        }
        java.util.List<String> events = new java.util.ArrayList<>();
        for (JsonNode event : JSON.readTree(frame.get("data").asString()).get("events")) {
            java.util.List<String> ids = new java.util.ArrayList<>();
            event.get("user_ids").forEach(id -> ids.add(id.asString()));
            events.add(event.get("name").asString() + "=" + ids);
        }
        return events;
    }

    public int awaitClose() {
        return closeCode.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** Closes with 1000, as a client that leaves politely does, and waits for the server's answering close. */
    public int closeNormally() {
        return closeWith(WebSocket.NORMAL_CLOSURE, "bye");
    }

    /** Closes with {@code code} and waits for the server's answering close. */
    public int closeWith(int code, String reason) {
        socket.sendClose(code, reason).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return awaitClose();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(ex -> null);
        }
        socket.abort();
    }
}
