package io.herald.core.signature;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 and MD5 as Pusher uses them (lower-case hex), and constant-time comparison.
 * Every signature check in Herald goes through {@link #constantTimeEquals(String, String)}.
 */
public final class Hmac {

    private static final HexFormat HEX = HexFormat.of();

    private Hmac() {
    }

    /** Lower-case hex HMAC-SHA256 of {@code message} keyed with {@code secret} (both UTF-8). */
    public static String sha256Hex(String secret, String message) {
        return sha256Hex(secret, message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * As {@link #sha256Hex(String, String)}, over raw bytes.
     *
     * @throws IllegalArgumentException when {@code secret} is empty: an app's public view, which
     *         has none, must never be used to sign or verify (the JDK would say only "Empty key")
     */
    public static String sha256Hex(String secret, byte[] message) {
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("Cannot sign with an empty secret: this app was read without "
                    + "its secrets (the public view), which cannot sign or verify anything");
        }
        return HEX.formatHex(KeyedMac.forThread().mac(secret).doFinal(message));
    }

    /** Lower-case hex MD5, as Pusher's {@code body_md5}. */
    public static String md5Hex(byte[] body) {
        return HEX.formatHex(MD5.get().digest(body));
    }

    /**
     * This thread's MD5 digest. {@code MessageDigest.getInstance} searches the security providers on
     * every call (measured ~2 % of a signed publish); a digest is reset by {@code digest()}, so one
     * per thread serves every request of that thread.
     */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("MD5 is not available", ex);
        }
    });

    /**
     * This thread's HMAC-SHA256, keyed with the secret it was last used with. {@code doFinal}
     * resets a {@link Mac} to its key, so a thread that checks many requests of one app keys it
     * once; another secret re-keys it. The secret last used is compared by identity, never by
     * content (an app's secret is one {@code String} while the app is cached), so no comparison of
     * secrets can leak timing.
     */
    private static final class KeyedMac {

        private static final ThreadLocal<KeyedMac> THREAD = ThreadLocal.withInitial(KeyedMac::new);

        private final Mac mac;
        private String secret;

        private KeyedMac() {
            try {
                mac = Mac.getInstance("HmacSHA256");
            }
            catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException("HmacSHA256 is not available", ex);
            }
        }

        static KeyedMac forThread() {
            return THREAD.get();
        }

        Mac mac(String key) {
            if (key != secret) {
                try {
                    // Forgotten first, so a failed init never leaves the Mac keyed with the old secret.
                    secret = null;
                    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                    secret = key;
                }
                catch (InvalidKeyException ex) {
                    throw new IllegalStateException("HmacSHA256 refused the key", ex);
                }
            }
            return mac;
        }
    }

    /**
     * Compares two strings in time that depends only on their lengths, never on where they
     * first differ. {@code null} never equals anything.
     */
    public static boolean constantTimeEquals(String expected, String actual) {
        if (expected == null || actual == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                actual.getBytes(StandardCharsets.UTF_8));
    }
}
