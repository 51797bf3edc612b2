package io.herald.core.auth;

import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import io.herald.core.signature.AppSecrets;
import io.herald.core.signature.ChannelSignatures;
import java.time.Clock;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Verifies signatures with the secrets of an {@link AppStore} that holds them: the current
 * secret, and the previous one during its grace period after a rotation
 * ({@link AppSecrets#signedByValidSecret}, as every verifier).
 */
public final class LocalAuthVerifier implements AuthVerifier {

    private final AppStore apps;
    private final Clock clock;

    public LocalAuthVerifier(AppStore apps, Clock clock) {
        this.apps = Objects.requireNonNull(apps, "apps");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Mono<Verdict> authorizeChannel(String appId, String socketId, String channel, String auth,
            String channelData) {
        return verify(appId, auth, ChannelSignatures.channelStringToSign(socketId, channel, channelData),
                "Invalid signature: expected HMAC-SHA256 of socket_id:channel"
                        + (channelData == null ? "" : ":channel_data") + " with the app's secret");
    }

    @Override
    public Mono<Verdict> authenticateUser(String appId, String socketId, String userData, String auth) {
        return verify(appId, auth, ChannelSignatures.userStringToSign(socketId, userData),
                "Invalid signature: expected HMAC-SHA256 of socket_id::user::user_data with the app's secret");
    }

    private Mono<Verdict> verify(String appId, String auth, String stringToSign, String refusal) {
        return apps.findById(appId).map(app -> check(app, auth, stringToSign, refusal))
                .defaultIfEmpty(Verdict.refused("Unknown app " + appId));
    }

    private Verdict check(App app, String auth, String stringToSign, String refusal) {
        if (auth == null || auth.isEmpty()) {
            return Verdict.refused("Missing auth: private, presence and sign-in need a signature from your server");
        }
        int colon = auth.indexOf(':');
        if (colon <= 0 || !auth.substring(0, colon).equals(app.key())) {
            return Verdict.refused("Invalid auth: it must be \"<app key>:<signature>\" with this app's key");
        }
        boolean ok = AppSecrets.signedByValidSecret(app, clock.instant(),
                secret -> ChannelSignatures.verify(app.key(), secret, stringToSign, auth));
        return ok ? Verdict.OK : Verdict.refused(refusal);
    }
}
