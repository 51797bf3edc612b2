package io.herald.metrics.security;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The sessions of signed-in tenant users: a random id (the {@code HERALD_SESSION} cookie) for
 * who signed in.
 *
 * <p><b>What callers may rely on.</b> An id is 32 random bytes (base64url), made with a
 * {@link SecureRandom} off the event loops; adapters keep only a digest of it, so whoever reads the
 * store cannot sign in with what is there. A session expires after the idle timeout the adapter was
 * made with; each {@link #find} starts that timeout again. The Redis adapter is shared by every
 * metrics-service replica (a session made on one works on all); the in-memory one is for one
 * process. An unreachable store fails the {@code Mono}. Never blocks.
 */
public interface SignInSessions {

    /** Starts a session for {@code signIn}; answers its new id. */
    Mono<String> create(SignIn signIn);

    /** The session's sign-in, extending its life; empty when there is none (expired, ended, unknown). */
    Mono<SignIn> find(String sessionId);

    /** Ends the session (a no-op when there is none). */
    Mono<Void> delete(String sessionId);

    /**
     * Who signed in.
     *
     * @param tenantId the user's tenant
     * @param username the user (normalized)
     * @param passwordCheck a short digest of the password hash at sign-in: a session stops working when
     *        the password changes
     */
    record SignIn(String tenantId, String username, String passwordCheck) {

        public SignIn {
            Objects.requireNonNull(tenantId, "tenantId");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(passwordCheck, "passwordCheck");
        }
    }

    /** A new session id, made off the event loops ({@link SecureRandom} may block for entropy). */
    static Mono<String> newId() {
        return Mono.fromCallable(() -> {
            byte[] bytes = new byte[32];
            Holder.RANDOM.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** The SecureRandom, made once (its seeding is what may block). */
    final class Holder {

        static final SecureRandom RANDOM = new SecureRandom();

        private Holder() {
        }
    }
}
