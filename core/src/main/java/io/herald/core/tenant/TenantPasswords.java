package io.herald.core.tenant;

import java.util.Objects;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Making and checking password hashes with Spring Security's delegating {@link PasswordEncoder}
 * (bcrypt; the hash names its algorithm, {@code {bcrypt}…}, so a stronger one can come later and
 * old hashes still match).
 *
 * <p>A bcrypt round costs tens of milliseconds of CPU on purpose, so it never runs on a Netty or
 * Reactor event loop: every call hops to {@code scheduler} ({@link Schedulers#boundedElastic()} by
 * default), whose bounded queue also caps how many run at once.
 */
public final class TenantPasswords {

    /** The shortest password accepted for a user. */
    public static final int MIN_LENGTH = 8;

    /** The longest: bcrypt reads at most 72 bytes, and longer input is a way to burn CPU. */
    public static final int MAX_LENGTH = 72;

    private final PasswordEncoder encoder;
    private final Scheduler scheduler;
    /** Matched when a username is unknown, so an unknown user costs the same time as a wrong password. */
    private final String decoy;

    public TenantPasswords() {
        this(PasswordEncoderFactories.createDelegatingPasswordEncoder(), Schedulers.boundedElastic());
    }

    public TenantPasswords(PasswordEncoder encoder, Scheduler scheduler) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.decoy = encoder.encode("decoy-password-that-matches-nothing");
    }

    /** Why {@code password} is not acceptable, or {@code null} when it is. Never repeats it. */
    public static String problem(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return "password must be at least " + MIN_LENGTH + " characters";
        }
        if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LENGTH) {
            return "password must be at most " + MAX_LENGTH + " bytes";
        }
        return null;
    }

    /** The hash of {@code password}, computed off the event loops. */
    public Mono<String> hash(String password) {
        Objects.requireNonNull(password, "password");
        return Mono.fromCallable(() -> encoder.encode(password)).subscribeOn(scheduler);
    }

    /**
     * Whether {@code password} matches {@code hash}, computed off the event loops. A {@code null}
     * hash (no such user) is checked against a decoy, taking as long, and never matches.
     */
    public Mono<Boolean> matches(String password, String hash) {
        String given = password == null ? "" : password;
        return Mono.fromCallable(() -> {
            if (hash == null) {
                encoder.matches(given, decoy);
                return false;
            }
            try {
                return encoder.matches(given, hash);
            }
            catch (IllegalArgumentException ex) {
                // An unreadable hash matches nothing.
                return false;
            }
        }).subscribeOn(scheduler);
    }
}
