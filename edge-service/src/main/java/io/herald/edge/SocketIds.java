package io.herald.edge;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Generates Pusher socket ids ({@code digits.digits}), unique across a cluster with
 * overwhelming probability (62 random bits).
 */
final class SocketIds {

    private final SecureRandom random;

    SocketIds() {
        try {
            // Seeded once here; afterwards generation is pure computation, never file I/O on an event loop.
            random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(SecureRandom.getSeed(32));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    String next() {
        return (random.nextInt(Integer.MAX_VALUE - 1) + 1) + "." + (random.nextInt(Integer.MAX_VALUE - 1) + 1);
    }
}
