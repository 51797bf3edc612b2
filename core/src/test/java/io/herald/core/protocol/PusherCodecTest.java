package io.herald.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class PusherCodecTest {

    // --- decoding -------------------------------------------------------------------------

    @Test
    void decodesAFrameWithEventChannelAndData() {
        ClientFrame frame = PusherCodec.decode(
                "{\"event\":\"client-typing\",\"channel\":\"private-chat\",\"data\":{\"who\":\"ann\"}}");

        assertThat(frame.event()).isEqualTo("client-typing");
        assertThat(frame.channel()).isEqualTo("private-chat");
        assertThat(frame.data().isObject()).isTrue();
        assertThat(frame.data().get("who").asString()).isEqualTo("ann");
    }

    @Test
    void decodesAFrameWithoutChannelOrData() {
        ClientFrame frame = PusherCodec.decode("{\"event\":\"pusher:ping\"}");

        assertThat(frame.event()).isEqualTo("pusher:ping");
        assertThat(frame.channel()).isNull();
        assertThat(frame.data()).isNull();
        assertThat(frame.dataField("channel")).isNull();
    }

    @Test
    void acceptsSubscribeDataAsAnObject() {
        ClientFrame frame = PusherCodec.decode("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"presence-room\","
                + "\"auth\":\"key:abc\",\"channel_data\":\"{\\\"user_id\\\":\\\"1\\\"}\"}}");

        assertThat(frame.event()).isEqualTo(PusherCodec.SUBSCRIBE);
        assertThat(frame.dataField("channel")).isEqualTo("presence-room");
        assertThat(frame.dataField("auth")).isEqualTo("key:abc");
        // channel_data stays the exact string the app's server signed
        assertThat(frame.dataField("channel_data")).isEqualTo("{\"user_id\":\"1\"}");
        assertThat(frame.dataField("absent")).isNull();
    }

    @Test
    void acceptsSubscribeDataAsAJsonString() {
        ClientFrame frame = PusherCodec.decode("{\"event\":\"pusher:subscribe\",\"data\":"
                + "\"{\\\"channel\\\":\\\"private-x\\\",\\\"auth\\\":\\\"key:abc\\\"}\"}");

        assertThat(frame.dataField("channel")).isEqualTo("private-x");
        assertThat(frame.dataField("auth")).isEqualTo("key:abc");
    }

    @Test
    void dataFieldIsNullWhenDataIsNotAnObject() {
        assertThat(PusherCodec.decode("{\"event\":\"e\",\"data\":\"not json\"}").dataField("channel")).isNull();
        assertThat(PusherCodec.decode("{\"event\":\"e\",\"data\":\"[1,2]\"}").dataField("channel")).isNull();
        assertThat(PusherCodec.decode("{\"event\":\"e\",\"data\":42}").dataField("channel")).isNull();
        assertThat(PusherCodec.decode("{\"event\":\"e\",\"data\":{\"channel\":7}}").dataField("channel")).isNull();
    }

    @Test
    void aNonStringChannelIsIgnored() {
        assertThat(PusherCodec.decode("{\"event\":\"e\",\"channel\":12}").channel()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "{", "{\"event\":", "not json", "{\"event\":\"a\",}", "{'event':'a'}",
            "{\"event\":\"a\"} {\"event\":\"b\"}", "{\"event\":\"a\"} trailing" })
    void rejectsMalformedJson(String text) {
        assertThatThrownBy(() -> PusherCodec.decode(text)).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "[]", "[{\"event\":\"a\"}]", "\"pusher:ping\"", "42", "true", "null" })
    void rejectsJsonThatIsNotAnObject(String text) {
        assertThatThrownBy(() -> PusherCodec.decode(text)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("object");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"channel\":\"a\"}", "{\"event\":\"\"}", "{\"event\":null}", "{\"event\":1}",
            "{\"event\":{\"name\":\"a\"}}", "{\"event\":[\"a\"]}", "{\"event\":true}" })
    void rejectsAMissingEmptyOrNonStringEvent(String text) {
        assertThatThrownBy(() -> PusherCodec.decode(text)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("event");
    }

    // --- encoding -------------------------------------------------------------------------

    @Test
    void connectionEstablishedDoubleEncodesItsData() {
        assertThat(text(PusherCodec.connectionEstablished("123.456", 120))).isEqualTo(
                "{\"event\":\"pusher:connection_established\","
                        + "\"data\":\"{\\\"socket_id\\\":\\\"123.456\\\",\\\"activity_timeout\\\":120}\"}");
    }

    @Test
    void errorCarriesAnObjectWithMessageAndCode() {
        assertThat(text(PusherCodec.error(4001, "Application does not exist"))).isEqualTo(
                "{\"event\":\"pusher:error\",\"data\":{\"message\":\"Application does not exist\",\"code\":4001}}");
    }

    @Test
    void errorWithoutCodeSendsNullCode() {
        assertThat(text(PusherCodec.error(null, "Unknown event"))).isEqualTo(
                "{\"event\":\"pusher:error\",\"data\":{\"message\":\"Unknown event\",\"code\":null}}");
    }

    @Test
    void pingAndPongCarryAnEmptyObject() {
        assertThat(text(PusherCodec.ping())).isEqualTo("{\"event\":\"pusher:ping\",\"data\":{}}");
        assertThat(text(PusherCodec.pong())).isEqualTo("{\"event\":\"pusher:pong\",\"data\":{}}");
    }

    @Test
    void pingAndPongReturnFreshArrays() {
        byte[] ping = PusherCodec.ping();
        ping[0] = 'X';
        byte[] pong = PusherCodec.pong();
        pong[0] = 'X';

        assertThat(text(PusherCodec.ping())).startsWith("{");
        assertThat(text(PusherCodec.pong())).startsWith("{");
    }

    @Test
    void subscriptionSucceededDoubleEncodesItsData() {
        assertThat(text(PusherCodec.subscriptionSucceeded("my-channel", "{}"))).isEqualTo(
                "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"my-channel\",\"data\":\"{}\"}");
    }

    @Test
    void presenceSubscriptionSucceededDoubleEncodesTheMemberList() {
        String presence = "{\"presence\":{\"ids\":[\"1\"],\"hash\":{\"1\":{\"name\":\"Ann\"}},\"count\":1}}";

        assertThat(text(PusherCodec.subscriptionSucceeded("presence-room", presence))).isEqualTo(
                "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"presence-room\","
                        + "\"data\":\"{\\\"presence\\\":{\\\"ids\\\":[\\\"1\\\"],\\\"hash\\\":{\\\"1\\\":{\\\"name\\\":"
                        + "\\\"Ann\\\"}},\\\"count\\\":1}}\"}");
    }

    @Test
    void subscriptionErrorCarriesTypeErrorAndStatusAsAnObject() {
        assertThat(text(PusherCodec.subscriptionError("private-x", "AuthError", "Invalid signature", 401))).isEqualTo(
                "{\"event\":\"pusher:subscription_error\",\"channel\":\"private-x\","
                        + "\"data\":{\"type\":\"AuthError\",\"error\":\"Invalid signature\",\"status\":401}}");
    }

    @Test
    void channelEventDoubleEncodesTheDataAsSent() {
        assertThat(text(PusherCodec.channelEvent("my-event", "my-channel", "{\"hello\":\"world\"}", null))).isEqualTo(
                "{\"event\":\"my-event\",\"channel\":\"my-channel\",\"data\":\"{\\\"hello\\\":\\\"world\\\"}\"}");
    }

    @Test
    void channelEventKeepsDataThatIsNotJson() {
        assertThat(text(PusherCodec.channelEvent("my-event", "my-channel", "plain text", null))).isEqualTo(
                "{\"event\":\"my-event\",\"channel\":\"my-channel\",\"data\":\"plain text\"}");
    }

    @Test
    void slashesAreNotEscaped() {
        assertThat(text(PusherCodec.channelEvent("my-event", "my-channel", "https://example.com/a", null)))
                .isEqualTo("{\"event\":\"my-event\",\"channel\":\"my-channel\",\"data\":\"https://example.com/a\"}");
    }

    @Test
    void channelEventOnAPresenceChannelCarriesTheSendersUserId() {
        assertThat(text(PusherCodec.channelEvent("client-typing", "presence-room", "{}", "42"))).isEqualTo(
                "{\"event\":\"client-typing\",\"channel\":\"presence-room\",\"data\":\"{}\",\"user_id\":\"42\"}");
    }

    @Test
    void channelEventWithoutDataHasNoDataField() {
        assertThat(text(PusherCodec.channelEvent("my-event", "my-channel", null, null))).isEqualTo(
                "{\"event\":\"my-event\",\"channel\":\"my-channel\"}");
    }

    @Test
    void quotesBackslashesAndControlCharactersAreEscaped() {
        String data = "say \"hi\" \\ then\nnew line\ttab\u0001";

        String frame = text(PusherCodec.channelEvent("ev", "ch", data, null));

        assertThat(frame).isEqualTo("{\"event\":\"ev\",\"channel\":\"ch\",\"data\":"
                + "\"say \\\"hi\\\" \\\\ then\\nnew line\\ttab\\u0001\"}");
        assertThat(parse(frame).get("data").asString()).isEqualTo(data);
    }

    @Test
    void unicodeSurvivesAsValidUtf8() throws CharacterCodingException {
        String data = "{\"text\":\"héllo wörld ✓ 日本語 😀\"}";

        byte[] bytes = PusherCodec.channelEvent("ev", "ch", data, "ünïcode-user");
        String frame = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();

        JsonNode parsed = parse(frame);
        assertThat(parsed.get("data").asString()).isEqualTo(data);
        assertThat(parsed.get("user_id").asString()).isEqualTo("ünïcode-user");
        // the data is double-encoded: parsing it again gives the object the publisher sent
        assertThat(parse(parsed.get("data").asString()).get("text").asString()).isEqualTo("héllo wörld ✓ 日本語 😀");
    }

    @Test
    void errorMessagesAreEscaped() {
        String message = "bad \"frame\" \u2028 é";

        JsonNode parsed = parse(text(PusherCodec.error(4200, message)));

        assertThat(parsed.get("data").get("message").asString()).isEqualTo(message);
        assertThat(parsed.get("data").get("code").asInt()).isEqualTo(4200);
    }

    @Test
    void encodedFramesDecodeBackToTheSameEventAndChannel() {
        ClientFrame frame = PusherCodec.decode(text(PusherCodec.channelEvent("client-x", "private-y", "{\"a\":1}", null)));

        assertThat(frame.event()).isEqualTo("client-x");
        assertThat(frame.channel()).isEqualTo("private-y");
        assertThat(frame.data().asString()).isEqualTo("{\"a\":1}");
        assertThat(frame.dataField("a")).isNull(); // a number, not text
    }

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    @Test
    void presenceFramesAreDoubleEncodedAsPusherSendsThem() {
        java.util.Map<String, String> members = new java.util.LinkedHashMap<>();
        members.put("1", "{\"name\":\"Ann\"}");
        members.put("2", null);
        JsonNode succeeded = parse(new String(PusherCodec.presenceSucceeded("presence-r", members), StandardCharsets.UTF_8));
        assertThat(succeeded.get("event").asString()).isEqualTo("pusher_internal:subscription_succeeded");
        JsonNode presence = parse(succeeded.get("data").asString()).get("presence");
        assertThat(presence.get("ids").toString()).isEqualTo("[\"1\",\"2\"]");
        assertThat(presence.get("hash").get("1").get("name").asString()).isEqualTo("Ann");
        assertThat(presence.get("hash").get("2").isNull()).isTrue();
        assertThat(presence.get("count").asInt()).isEqualTo(2);

        JsonNode added = parse(new String(PusherCodec.memberAdded("presence-r", "3", "{\"a\":1}"), StandardCharsets.UTF_8));
        assertThat(added.get("event").asString()).isEqualTo("pusher_internal:member_added");
        assertThat(parse(added.get("data").asString()).get("user_info").get("a").asInt()).isEqualTo(1);
        JsonNode removed = parse(new String(PusherCodec.memberRemoved("presence-r", "3"), StandardCharsets.UTF_8));
        assertThat(parse(removed.get("data").asString()).get("user_id").asString()).isEqualTo("3");
    }

    @Test
    void clientEventsKeepTheSendersDataAndAddTheUserOnPresence() {
        JsonNode data = parse("{\"x\":[1,2]}");
        JsonNode frame = parse(new String(PusherCodec.clientEvent("client-a", "presence-r", data, "u1"),
                StandardCharsets.UTF_8));
        assertThat(frame.get("data")).isEqualTo(data);
        assertThat(frame.get("user_id").asString()).isEqualTo("u1");
        assertThat(parse(new String(PusherCodec.clientEvent("client-a", "private-r", data, null), StandardCharsets.UTF_8))
                .has("user_id")).isFalse();
    }

    @Test
    void signinSuccessAndCacheMissFrames() {
        JsonNode signin = parse(new String(PusherCodec.signinSuccess("{\"id\":\"7\"}"), StandardCharsets.UTF_8));
        assertThat(signin.get("event").asString()).isEqualTo("pusher:signin_success");
        assertThat(parse(signin.get("data").asString()).get("user_data").asString()).isEqualTo("{\"id\":\"7\"}");
        JsonNode miss = parse(new String(PusherCodec.cacheMiss("cache-x"), StandardCharsets.UTF_8));
        assertThat(miss.get("event").asString()).isEqualTo("pusher:cache_miss");
        assertThat(miss.get("channel").asString()).isEqualTo("cache-x");
    }

    private static JsonNode parse(String json) {
        return PusherCodec.json().readTree(json);
    }
}
