package io.herald.edge;

import io.herald.core.testing.RawClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.error.PusherError;
import io.herald.core.signature.ChannelSignatures;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Apps with {@code user-authentication} (Pusher's "authorized connections"): a connection must
 * sign in or subscribe to a private or presence channel within the timeout, or it is closed with
 * 4009.
 */
class AuthorizedConnectionsTest extends EdgeAppTestSupport {

    static final String APP = "strict-app";
    static final String KEY = "strict-key";
    static final String SECRET = "strict-secret";

    AuthorizedConnectionsTest() {
        super(APP, KEY, SECRET);
    }

    @Override
    Map<String, Object> settings() {
        return Map.of("herald.apps[2].user-authentication", true, "herald.edge.user-authentication-timeout", "2s");
    }

    @Test
    void onlyConnectionsThatNeitherSignInNorSubscribeToAPrivateChannelAreClosedWith4009() {
        double closedBefore = server.closed(PusherError.UNAUTHORIZED.code());
        try (RawClient privateSubscriber = connect(); RawClient signedIn = connect(); RawClient anonymous = connect()) {
            String privateSocket = privateSubscriber.established();
            String auth = ChannelSignatures.token(KEY, SECRET,
                    ChannelSignatures.channelStringToSign(privateSocket, "private-room", null));
            privateSubscriber.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"private-room\",\"auth\":\""
                    + auth + "\"}}");
            privateSubscriber.next("pusher_internal:subscription_succeeded");

            String signedInSocket = signedIn.established();
            String userData = "{\"id\":\"u-1\"}";
            String userAuth = ChannelSignatures.token(KEY, SECRET,
                    ChannelSignatures.userStringToSign(signedInSocket, userData));
            signedIn.send("{\"event\":\"pusher:signin\",\"data\":{\"user_data\":\"{\\\"id\\\":\\\"u-1\\\"}\",\"auth\":\""
                    + userAuth + "\"}}");
            signedIn.next("pusher:signin_success");

            anonymous.established();
            assertThat(anonymous.next("pusher:error").get("data").get("code").asInt())
                    .isEqualTo(PusherError.UNAUTHORIZED.code());
            assertThat(anonymous.awaitClose()).isEqualTo(PusherError.UNAUTHORIZED.code());
            server.awaitClosed(PusherError.UNAUTHORIZED.code(), closedBefore + 1);

            // Both opened before the anonymous one, so their time ran out first: they are still served.
            for (RawClient authorized : new RawClient[] { privateSubscriber, signedIn }) {
                authorized.send("{\"event\":\"pusher:ping\",\"data\":{}}");
                authorized.next("pusher:pong");
                assertThat(authorized.closeCode).isNotDone();
            }
        }
    }
}
