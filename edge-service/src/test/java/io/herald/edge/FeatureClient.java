package io.herald.edge;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import com.pusher.rest.data.PresenceUser;
import io.herald.core.signature.ChannelSignatures;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * pusher-java-client (the official client) with a channel authorizer and a user authenticator
 * that sign as the tenant's server would, with pusher-http-java (the official server library)
 * where it can (channel authorization) and with the documented string to sign where it has no
 * helper (user authentication).
 */
final class FeatureClient implements AutoCloseable {

    final Pusher pusher;
    final String socketId;
    final BlockingQueue<String> errors = new LinkedBlockingQueue<>();
    final CompletableFuture<ConnectionStateChange> disconnected = new CompletableFuture<>();

    FeatureClient(int port, String key, String secret, String appId, PresenceUser user, String userId) throws Exception {
        com.pusher.rest.Pusher server = new com.pusher.rest.Pusher(appId, key, secret);
        PusherOptions options = new PusherOptions().setHost("127.0.0.1").setWsPort(port).setUseTLS(false)
                .setChannelAuthorizer((channel, socket) -> channel.startsWith("presence-")
                        ? server.authenticate(socket, channel, user)
                        : server.authenticate(socket, channel))
                .setUserAuthenticator(socket -> {
                    String userData = "{\"id\":\"" + userId + "\"}";
                    String auth = ChannelSignatures.token(key, secret, ChannelSignatures.userStringToSign(socket, userData));
                    return new com.google.gson.Gson().toJson(Map.of("auth", auth, "user_data", userData));
                });
        pusher = new Pusher(key, options);
        CompletableFuture<String> connected = new CompletableFuture<>();
        pusher.connect(new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
                if (change.getCurrentState() == ConnectionState.CONNECTED) {
                    connected.complete(pusher.getConnection().getSocketId());
                }
                if (change.getCurrentState() == ConnectionState.DISCONNECTED) {
                    disconnected.complete(change);
                }
            }

            @Override
            public void onError(String message, String code, Exception e) {
                errors.add(code + " " + message);
            }
        }, ConnectionState.ALL);
        socketId = connected.get(15, TimeUnit.SECONDS);
    }

    static Map<String, Object> info(String name) {
        return Map.of("name", name);
    }

    static String next(BlockingQueue<String> queue) throws InterruptedException {
        String item = queue.poll(15, TimeUnit.SECONDS);
        if (item == null) {
            throw new AssertionError("nothing arrived within 15 s");
        }
        return item;
    }

    static PusherEvent nextEvent(BlockingQueue<PusherEvent> queue) throws InterruptedException {
        PusherEvent item = queue.poll(15, TimeUnit.SECONDS);
        if (item == null) {
            throw new AssertionError("no event within 15 s");
        }
        return item;
    }

    @Override
    public void close() {
        pusher.disconnect();
    }
}
