package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The golden vector of Pusher's HTTP API signature (PUSHER-PROTOCOL.md, "Signing"). */
class SignerTest {

    private static final String BODY = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final String SIGNATURE = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

    @Test
    void bodyMd5MatchesTheGoldenVector() {
        assertThat(Signer.md5Hex(BODY.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("ec365a775a4cd0599faeb73354201b6f");
    }

    @Test
    void signatureMatchesTheGoldenVector() {
        Map<String, String> params = new TreeMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", "1353088179");
        params.put("auth_version", "1.0");
        params.put("body_md5", "ec365a775a4cd0599faeb73354201b6f");
        assertThat(Signer.stringToSign("POST", "/apps/3/events", params)).isEqualTo("POST\n/apps/3/events\n"
                + "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                + "&body_md5=ec365a775a4cd0599faeb73354201b6f");
        assertThat(Signer.sign(SECRET, "POST", "/apps/3/events", params)).isEqualTo(SIGNATURE);
    }

    @Test
    void signedQueryCarriesTheGoldenSignature() {
        String query = Signer.signedQuery(KEY, SECRET, "POST", "/apps/3/events",
                BODY.getBytes(StandardCharsets.UTF_8), 1353088179L);
        assertThat(query).isEqualTo("auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                + "&body_md5=ec365a775a4cd0599faeb73354201b6f&auth_signature=" + SIGNATURE);
    }

    @Test
    void signatureIgnoresAuthSignatureAndKeyCase() {
        Map<String, String> params = new TreeMap<>();
        params.put("AUTH_KEY", KEY);
        params.put("auth_timestamp", "1353088179");
        params.put("auth_version", "1.0");
        params.put("body_md5", "ec365a775a4cd0599faeb73354201b6f");
        params.put("auth_signature", "anything");
        assertThat(Signer.sign(SECRET, "post", "/apps/3/events", params)).isEqualTo(SIGNATURE);
    }

    @Test
    void hmacMatchesThePrivateChannelVector() {
        assertThat(Signer.hmacSha256Hex(SECRET, "1234.1234:private-foobar"))
                .isEqualTo("58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
    }
}
