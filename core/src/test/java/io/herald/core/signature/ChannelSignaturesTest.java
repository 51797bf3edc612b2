package io.herald.core.signature;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.PresenceUser;
import io.herald.core.protocol.PusherCodec;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ChannelSignaturesTest {

    // Pusher's documented credentials for its auth signature examples.
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final String SOCKET_ID = "1234.1234";

    // Pusher's presence example; the published signature is over the user name "Mr. Pusher"
    // (PUSHER-PROTOCOL.md writes "Mr. Channels", which does not give afaed369…).
    private static final String PRESENCE_CHANNEL_DATA = "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Pusher\"}}";

    private final Pusher pusher = new Pusher("3", KEY, SECRET);

    @AfterEach
    void close() throws Exception {
        pusher.close();
    }

    @Test
    void privateChannelVector() {
        String toSign = ChannelSignatures.channelStringToSign(SOCKET_ID, "private-foobar", null);

        assertThat(toSign).isEqualTo("1234.1234:private-foobar");
        assertThat(ChannelSignatures.token(KEY, SECRET, toSign)).isEqualTo(
                "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
    }

    @Test
    void presenceChannelVector() {
        String toSign = ChannelSignatures.channelStringToSign(SOCKET_ID, "presence-foobar", PRESENCE_CHANNEL_DATA);

        assertThat(toSign).isEqualTo("1234.1234:presence-foobar:" + PRESENCE_CHANNEL_DATA);
        assertThat(ChannelSignatures.token(KEY, SECRET, toSign)).isEqualTo(
                "278d425bdf160c739803:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c");
    }

    @Test
    void userAuthenticationVector() {
        String toSign = ChannelSignatures.userStringToSign(SOCKET_ID, "{\"id\":\"12345\"}");

        assertThat(toSign).isEqualTo("1234.1234::user::{\"id\":\"12345\"}");
        assertThat(ChannelSignatures.token(KEY, SECRET, toSign)).isEqualTo(
                "278d425bdf160c739803:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba");
    }

    @Test
    void verifiesAPrivateChannelTokenFromTheOfficialSdk() {
        JsonNode sdk = parse(pusher.authenticate(SOCKET_ID, "private-foobar"));
        String toSign = ChannelSignatures.channelStringToSign(SOCKET_ID, "private-foobar", null);

        assertThat(sdk.get("auth").asString()).isEqualTo(ChannelSignatures.token(KEY, SECRET, toSign));
        assertThat(ChannelSignatures.verify(KEY, SECRET, toSign, sdk.get("auth").asString())).isTrue();
    }

    @Test
    void verifiesAPrivateEncryptedStyleAndLongChannelTokenFromTheOfficialSdk() {
        String channel = "private-" + "a-b_c=d@e,f.g;h".repeat(10);
        JsonNode sdk = parse(pusher.authenticate("987654321.123456789", channel));

        assertThat(ChannelSignatures.verify(KEY, SECRET,
                ChannelSignatures.channelStringToSign("987654321.123456789", channel, null),
                sdk.get("auth").asString())).isTrue();
    }

    @Test
    void verifiesThePresenceTokenFromTheOfficialSdkOverItsExactChannelData() {
        JsonNode sdk = parse(pusher.authenticate(SOCKET_ID, "presence-foobar",
                new PresenceUser(10, Map.of("name", "Mr. Pusher"))));
        String channelData = sdk.get("channel_data").asString();

        assertThat(channelData).isEqualTo(PRESENCE_CHANNEL_DATA);
        assertThat(sdk.get("auth").asString()).isEqualTo(
                "278d425bdf160c739803:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c");
        assertThat(ChannelSignatures.verify(KEY, SECRET,
                ChannelSignatures.channelStringToSign(SOCKET_ID, "presence-foobar", channelData),
                sdk.get("auth").asString())).isTrue();
    }

    @Test
    void verifiesAPresenceTokenWithUnicodeUserInfoFromTheOfficialSdk() {
        JsonNode sdk = parse(pusher.authenticate("1.2", "presence-room",
                new PresenceUser("user-ü", Map.of("name", "Zoë \"Z\" 日本"))));
        String channelData = sdk.get("channel_data").asString();

        assertThat(ChannelSignatures.verify(KEY, SECRET,
                ChannelSignatures.channelStringToSign("1.2", "presence-room", channelData),
                sdk.get("auth").asString())).isTrue();
    }

    @Test
    void aPresenceTokenDoesNotVerifyForOtherChannelData() {
        JsonNode sdk = parse(pusher.authenticate(SOCKET_ID, "presence-foobar",
                new PresenceUser(10, Map.of("name", "Mr. Pusher"))));
        String otherData = "{\"user_id\":11,\"user_info\":{\"name\":\"Mr. Pusher\"}}";

        assertThat(ChannelSignatures.verify(KEY, SECRET,
                ChannelSignatures.channelStringToSign(SOCKET_ID, "presence-foobar", otherData),
                sdk.get("auth").asString())).isFalse();
        // nor without channel data, as if it were a private channel
        assertThat(ChannelSignatures.verify(KEY, SECRET,
                ChannelSignatures.channelStringToSign(SOCKET_ID, "presence-foobar", null),
                sdk.get("auth").asString())).isFalse();
    }

    @Test
    void rejectsTokensForAnotherSocketChannelKeyOrSecret() {
        String token = ChannelSignatures.token(KEY, SECRET, "1234.1234:private-foobar");

        assertThat(ChannelSignatures.verify(KEY, SECRET, "1234.1235:private-foobar", token)).isFalse();
        assertThat(ChannelSignatures.verify(KEY, SECRET, "1234.1234:private-foobaz", token)).isFalse();
        assertThat(ChannelSignatures.verify("other-key", SECRET, "1234.1234:private-foobar", token)).isFalse();
        assertThat(ChannelSignatures.verify(KEY, "other-secret", "1234.1234:private-foobar", token)).isFalse();
        assertThat(ChannelSignatures.verify(KEY, SECRET, "1234.1234:private-foobar", token)).isTrue();
    }

    @Test
    void rejectsMalformedTokens() {
        String toSign = "1234.1234:private-foobar";
        String signature = "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";

        assertThat(ChannelSignatures.verify(KEY, SECRET, toSign, null)).isFalse();
        assertThat(ChannelSignatures.verify(KEY, SECRET, toSign, "")).isFalse();
        assertThat(ChannelSignatures.verify(KEY, SECRET, toSign, signature)).isFalse();
        assertThat(ChannelSignatures.verify(KEY, SECRET, toSign, ":" + signature)).isFalse();
        assertThat(ChannelSignatures.verify(KEY, SECRET, toSign, KEY + ":" + signature + " ")).isFalse();
        assertThat(ChannelSignatures.verify(KEY, SECRET, toSign, KEY + ":" + signature.substring(1))).isFalse();
    }

    private static JsonNode parse(String json) {
        return PusherCodec.json().readTree(json);
    }
}
