package io.herald.core.signature;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
}
