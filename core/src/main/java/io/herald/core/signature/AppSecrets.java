package io.herald.core.signature;

import io.herald.core.app.App;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The one answer to "is this signed by one of the app's valid secrets now", asked by every
 * verifier in Herald: HTTP API request signatures ({@link RequestSignature}), channel
 * authorization and user authentication ({@code LocalAuthVerifier}) and auth-service's tenant
 * login. Having one place is what keeps a secret rotation's grace period the same everywhere.
 *
 * <p>The valid secrets are {@link App#secretsAt(Instant)}: the current secret, and after a
 * rotation the previous one until {@link App#previousSecretValidUntil()}.
 */
public final class AppSecrets {

    private AppSecrets() {
    }

    /**
     * Whether {@code signedWith} holds for one of the secrets of {@code app} that are valid at
     * {@code now}.
     *
     * <p>Every valid secret is tried, without stopping at the first that matches, so the time
     * taken does not tell which one matched; {@code signedWith} must itself compare in constant
     * time (for example with {@link Hmac#constantTimeEquals(String, String)}).
     *
     * @param signedWith given one secret, whether the signature (or credential) was made with it
     * @throws IllegalStateException when the app carries no secret: this process holds only the
     *         public view of apps ({@link App#withoutSecrets()}), which must never be used to verify;
     *         the secret is never handed to {@code signedWith} (an empty HMAC key is refused by the JDK)
     */
    public static boolean signedByValidSecret(App app, Instant now, Predicate<String> signedWith) {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(signedWith, "signedWith");
        List<String> secrets = app.secretsAt(now);
        for (String secret : secrets) {
            if (secret.isEmpty()) {
                throw new IllegalStateException("App " + app.id() + " has no secret in this process, so its "
                        + "signatures cannot be checked here: this process holds only the public view of apps "
                        + "(as read from auth-service with herald.auth.url), which must not be used to verify");
            }
        }
        boolean signed = false;
        for (String secret : secrets) {
            // Non-short-circuit OR: every secret is tried whatever the earlier ones said.
            signed |= signedWith.test(secret);
        }
        return signed;
    }
}
