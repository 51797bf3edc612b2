package io.herald.edge;

import io.herald.core.auth.AuthUnavailableException;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.protocol.ClientFrame;
import io.herald.core.protocol.PusherCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * User authentication: {@code pusher:signin} with {@code user_data} (JSON with a non-empty
 * {@code id}) signed by the tenant's server. On success the connection is that user, is
 * subscribed to the user's {@code #server-to-user-{id}} channel (server-to-user events and
 * {@code terminate_connections}) and, when the app has watchlist events, counts as the user online
 * ({@link Watchlists}); then it gets {@code pusher:signin_success}, and then its watchlist's events.
 * A connection cannot switch to a different user.
 */
public final class UserSignin {

    private static final Logger log = LoggerFactory.getLogger(UserSignin.class);

    private final AuthVerifier auth;
    private final ChannelSubscriptions subscriptions;
    private final Watchlists watchlists;

    public UserSignin(AuthVerifier auth, ChannelSubscriptions subscriptions, Watchlists watchlists) {
        this.auth = auth;
        this.subscriptions = subscriptions;
        this.watchlists = watchlists;
    }

    void signin(EdgeConnection connection, ClientFrame frame) {
        String userData = frame.dataField("user_data");
        String userId = userId(userData);
        if (userId == null) {
            connection.send(PusherCodec.error(null, "pusher:signin needs user_data: a JSON object with a non-empty id"));
            return;
        }
        if (connection.userId() != null && !connection.userId().equals(userId)) {
            connection.send(PusherCodec.error(null, "This connection is already signed in as a different user"));
            return;
        }
        auth.authenticateUser(connection.appId(), connection.socketId(), userData, frame.dataField("auth"))
                .subscribe(verdict -> {
                    if (!verdict.ok()) {
                        connection.send(PusherCodec.error(null, "Sign-in refused: " + verdict.reason()));
                        return;
                    }
                    boolean first = connection.userId() == null;
                    connection.signedIn(userId);
                    subscriptions.subscribeUserChannel(connection, userId).subscribe(null,
                            ex -> log.warn("Subscribing user {} of app {} to its channel failed", userId,
                                    connection.appId(), ex),
                            () -> {
                                if (first) {
                                    watchlists.signedIn(connection, userId, userData,
                                            () -> connection.send(PusherCodec.signinSuccess(userData)));
                                }
                                else {
                                    connection.send(PusherCodec.signinSuccess(userData));
                                }
                            });
                }, ex -> connection.send(PusherCodec.error(null, ex instanceof AuthUnavailableException
                        ? "Sign-in is temporarily unavailable; try again" : "Sign-in failed; try again")));
    }

    /** A closed connection: what its sign-in started ends. */
    void release(EdgeConnection connection) {
        watchlists.release(connection);
    }

    /** The non-empty {@code id} of {@code user_data}, or {@code null}. */
    static String userId(String userData) {
        if (userData == null) {
            return null;
        }
        try {
            JsonNode node = PusherCodec.json().readTree(userData);
            JsonNode id = node == null ? null : node.get("id");
            if (id == null || !(id.isString() || id.isNumber()) || id.asString().isEmpty()) {
                return null;
            }
            return id.asString();
        }
        catch (RuntimeException ex) {
            return null;
        }
    }
}
