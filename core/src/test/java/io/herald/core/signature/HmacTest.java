package io.herald.core.signature;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HmacTest {

    @Test
    void sha256HexMatchesRfc4231TestCase2() {
        assertThat(Hmac.sha256Hex("Jefe", "what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void sha256HexOfStringAndOfItsUtf8BytesAgree() {
        String message = "héllo ✓ 😀";

        assertThat(Hmac.sha256Hex("sécret", message))
                .isEqualTo(Hmac.sha256Hex("sécret", message.getBytes(StandardCharsets.UTF_8)))
                .hasSize(64)
                .matches("[0-9a-f]{64}");
    }

    @Test
    void md5HexIsLowerCaseHex() {
        assertThat(Hmac.md5Hex(new byte[0])).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
        assertThat(Hmac.md5Hex("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("9e107d9d372bb6826bd81d3542a419d6");
    }

    @Test
    void constantTimeEqualsIsTrueOnlyForEqualStrings() {
        assertThat(Hmac.constantTimeEquals("abc", "abc")).isTrue();
        assertThat(Hmac.constantTimeEquals("", "")).isTrue();
        assertThat(Hmac.constantTimeEquals("ü✓", "ü✓")).isTrue();
        assertThat(Hmac.constantTimeEquals("abc", "abd")).isFalse();
        assertThat(Hmac.constantTimeEquals("abc", "ABC")).isFalse();
        assertThat(Hmac.constantTimeEquals("xbc", "abc")).isFalse();
    }

    @Test
    void constantTimeEqualsIsFalseForDifferentLengths() {
        assertThat(Hmac.constantTimeEquals("abc", "abcd")).isFalse();
        assertThat(Hmac.constantTimeEquals("abcd", "abc")).isFalse();
        assertThat(Hmac.constantTimeEquals("abc", "")).isFalse();
        assertThat(Hmac.constantTimeEquals("", "abc")).isFalse();
    }

    @Test
    void constantTimeEqualsNeverEqualsNull() {
        assertThat(Hmac.constantTimeEquals(null, null)).isFalse();
        assertThat(Hmac.constantTimeEquals(null, "abc")).isFalse();
        assertThat(Hmac.constantTimeEquals("abc", null)).isFalse();
        assertThat(Hmac.constantTimeEquals(null, "")).isFalse();
        assertThat(Hmac.constantTimeEquals("", null)).isFalse();
    }

    /**
     * Each thread keeps one {@code Mac} keyed with the secret it last used and one MD5 digest:
     * interleaving secrets and messages on several threads must give every documented vector
     * (PUSHER-PROTOCOL.md 1.5, RFC 4231) every time, never a result keyed with another secret.
     */
    @Test
    void perThreadMacAndDigestGiveTheDocumentedVectorsWhateverTheThreadUsedBefore() throws Exception {
        String[][] vectors = {
                { "7ad3773142a6692b25b8", "1234.1234:private-foobar",
                        "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4" },
                { "7ad3773142a6692b25b8", "1234.1234:presence-foobar:{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Pusher\"}}",
                        "afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c" },
                { "Jefe", "what do ya want for nothing?",
                        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
                // An equal secret in another String instance: keyed again, same answer.
                { new String("7ad3773142a6692b25b8".toCharArray()), "1234.1234::user::{\"id\":\"12345\"}",
                        "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba" } };
        byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        String[] vector = vectors[(i * (offset + 1) + offset) % vectors.length];
                        assertThat(Hmac.sha256Hex(vector[0], vector[1])).as(vector[1]).isEqualTo(vector[2]);
                        if (i % 3 == offset % 3) {
                            assertThat(Hmac.md5Hex(fox)).isEqualTo("9e107d9d372bb6826bd81d3542a419d6");
                            assertThat(Hmac.md5Hex(new byte[0])).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(30, TimeUnit.SECONDS);
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRefusedSecretLeavesTheThreadsMacUsableForTheNext() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Hmac.sha256Hex("", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Hmac.sha256Hex("Jefe", "what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
