package io.herald.core.auth;

import reactor.core.publisher.Mono;

/**
 * Checks the signatures a tenant's server gives its clients: channel authorization for
 * private, encrypted and presence subscriptions, and user authentication for
 * {@code pusher:signin}. Lets the edge check them without holding app secrets.
 *
 * <p>Adapters: {@link LocalAuthVerifier} (secrets from the {@code AppStore}, used in the
 * standalone server and inside auth-service) and an HTTP client of auth-service (used by
 * edges in a cluster, with a timeout and a circuit breaker).
 *
 * <p>Failure: a signature that does not verify is a {@link Verdict} with {@code ok == false}
 * (final; the client must not retry unchanged). When the verifier cannot answer, the Mono
 * errors with {@link AuthUnavailableException}: signatures fail closed, and the client may
 * retry later. Signatures are compared in constant time.
 */
public interface AuthVerifier {

    /**
     * Verifies {@code auth} = {@code key:hex(hmac(secret, socketId:channel[:channelData]))}.
     *
     * @param channelData the presence {@code channel_data} exactly as sent, or {@code null}
     */
    Mono<Verdict> authorizeChannel(String appId, String socketId, String channel, String auth, String channelData);

    /** Verifies {@code auth} = {@code key:hex(hmac(secret, socketId::user::userData))}. */
    Mono<Verdict> authenticateUser(String appId, String socketId, String userData, String auth);

    /**
     * The answer for one signature.
     *
     * @param ok whether it verified
     * @param reason why not, for the developer (never a secret or an expected signature)
     */
    record Verdict(boolean ok, String reason) {

        public static final Verdict OK = new Verdict(true, null);

        public static Verdict refused(String reason) {
            return new Verdict(false, reason);
        }
    }
}
