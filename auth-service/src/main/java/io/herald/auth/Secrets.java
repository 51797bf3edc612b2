package io.herald.auth;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Generates app ids, keys and secrets. One DRBG {@link SecureRandom}, seeded once from the
 * operating system when built: generating afterwards does no I/O, so it is safe on an event loop
 * (NativePRNG would read {@code /dev/urandom} on each call).
 */
public final class Secrets {

    /** 256 bits: a secret as strong as the HMAC-SHA256 that uses it. */
    static final int SECRET_BYTES = 32;

    /** Pusher's keys are 20 hex characters. */
    static final int KEY_BYTES = 10;

    private final SecureRandom random;

    public Secrets() {
        SecureRandom drbg;
        try {
            drbg = SecureRandom.getInstance("DRBG");
        }
        catch (NoSuchAlgorithmException ex) {
            drbg = new SecureRandom();
        }
        this.random = drbg;
        // Seed now, on the thread that builds this, not on the first request's event loop.
        random.nextBytes(new byte[16]);
    }

    /** A numeric id of 7 digits, as Pusher's are; callers retry on a (rare) collision. */
    public String newId() {
        return String.valueOf(1_000_000 + random.nextInt(9_000_000));
    }

    public String newKey() {
        return hex(KEY_BYTES);
    }

    public String newSecret() {
        return hex(SECRET_BYTES);
    }

    private String hex(int bytes) {
        byte[] buf = new byte[bytes];
        random.nextBytes(buf);
        return HexFormat.of().formatHex(buf);
    }
}
