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
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(message));
        }
        catch (NoSuchAlgorithmException | InvalidKeyException ex) {
            throw new IllegalStateException("HmacSHA256 is not available", ex);
        }
    }

    /** Lower-case hex MD5, as Pusher's {@code body_md5}. */
    public static String md5Hex(byte[] body) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(body));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("MD5 is not available", ex);
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
