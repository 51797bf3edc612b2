package io.herald.edge;

import com.pusher.client.Pusher;
import com.pusher.client.channel.PusherEvent;
import com.pusher.rest.data.PresenceUser;
import io.herald.core.signature.ChannelSignatures;
import io.herald.core.testing.OfficialClient;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

/**
 * pusher-java-client (the official client) with a channel authorizer and a user authenticator
 * that sign as the tenant's server would, with pusher-http-java (the official server library)
 * where it can (channel authorization) and with the documented string to sign where it has no
 * helper (user authentication).
 */
final class FeatureClient implements AutoCloseable {

    final OfficialClient client;
    final Pusher pusher;
    final String socketId;
    final BlockingQueue<String> errors;
    final CompletableFuture<Void> disconnected;

    /** Connects; with {@code signIn} the client also signs in as {@code userId} once connected. */
    FeatureClient(int port, String key, String secret, String appId, PresenceUser user, String userId, boolean signIn)
            throws Exception {
        com.pusher.rest.Pusher server = new com.pusher.rest.Pusher(appId, key, secret);
        java.util.function.UnaryOperator<com.pusher.client.PusherOptions> options = o -> o
                .setChannelAuthorizer((channel, socket) -> channel.startsWith("presence-")
                        ? server.authenticate(socket, channel, user)
                        : server.authenticate(socket, channel))
                .setUserAuthenticator(socket -> {
                    String userData = "{\"id\":\"" + userId + "\"}";
                    String auth = ChannelSignatures.token(key, secret, ChannelSignatures.userStringToSign(socket, userData));
                    return new com.google.gson.Gson().toJson(Map.of("auth", auth, "user_data", userData));
                });
        client = signIn ? OfficialClient.connectSignedIn(key, port, options) : OfficialClient.connect(key, port, options);
        pusher = client.pusher;
        socketId = client.socketId;
        errors = client.errors;
        disconnected = client.disconnected;
    }

    static Map<String, Object> info(String name) {
        return Map.of("name", name);
    }

    static String next(BlockingQueue<String> queue) throws InterruptedException {
        return OfficialClient.next(queue);
    }

    static PusherEvent nextEvent(BlockingQueue<PusherEvent> queue) throws InterruptedException {
        return OfficialClient.next(queue);
    }

    @Override
    public void close() {
        client.close();
    }
}
