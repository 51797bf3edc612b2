package io.herald.core.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopeCodecTest {

    private static final ChannelKey CHANNEL = new ChannelKey("app-1", "private-chat");

    @Test
    void roundTripsWithAnExcludedSocket() {
        Envelope envelope = new Envelope(CHANNEL, "msg-1", "123.456", utf8("{\"event\":\"e\",\"data\":\"ü\"}"));

        Envelope decoded = EnvelopeCodec.decode(CHANNEL, EnvelopeCodec.encode(envelope));

        assertSame(decoded, envelope);
    }

    @Test
    void roundTripsWithoutAnExcludedSocket() {
        Envelope envelope = new Envelope(CHANNEL, "msg-2", null, utf8("{\"event\":\"e\"}"));

        Envelope decoded = EnvelopeCodec.decode(CHANNEL, EnvelopeCodec.encode(envelope));

        assertSame(decoded, envelope);
        assertThat(decoded.excludeSocketId()).isNull();
    }

    @Test
    void roundTripsAnEmptyFrameAndEmptyId() {
        Envelope envelope = new Envelope(CHANNEL, "", null, new byte[0]);

        byte[] encoded = EnvelopeCodec.encode(envelope);

        assertThat(encoded).containsExactly(1, 0, 0);
        assertSame(EnvelopeCodec.decode(CHANNEL, encoded), envelope);
    }

    @Test
    void roundTripsALargeBinaryFrame() {
        byte[] frame = new byte[1 << 20];
        new Random(42).nextBytes(frame);
        Envelope envelope = new Envelope(CHANNEL, "m".repeat(255), "9".repeat(120) + "." + "9".repeat(134), frame);

        assertSame(EnvelopeCodec.decode(CHANNEL, EnvelopeCodec.encode(envelope)), envelope);
    }

    @Test
    void theWireFormatIsVersionLengthPrefixedIdsThenFrame() {
        byte[] encoded = EnvelopeCodec.encode(new Envelope(CHANNEL, "m1", "1.2", utf8("{}")));

        assertThat(encoded).containsExactly(1, 2, 'm', '1', 3, '1', '.', '2', '{', '}');
    }

    @Test
    void decodingUsesTheGivenChannel() {
        ChannelKey other = new ChannelKey("app-2", "news");

        Envelope decoded = EnvelopeCodec.decode(other, EnvelopeCodec.encode(new Envelope(CHANNEL, "m", null, utf8("x"))));

        assertThat(decoded.channel()).isEqualTo(other);
    }

    @Test
    void rejectsIdsLongerThan255Bytes() {
        assertThatThrownBy(() -> EnvelopeCodec.encode(new Envelope(CHANNEL, "m".repeat(256), null, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnvelopeCodec.encode(new Envelope(CHANNEL, "m", "1".repeat(256), new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static Object[][] garbage() {
        return new Object[][] {
                { "empty", new byte[0] },
                { "version only", new byte[] { 1 } },
                { "no exclude length", new byte[] { 1, 0 } },
                { "version 0", new byte[] { 0, 0, 0 } },
                { "version 2", new byte[] { 2, 0, 0, 'x' } },
                { "JSON text", utf8("{\"event\":\"e\"}") },
                { "id longer than the message", new byte[] { 1, 5, 'a', 'b' } },
                { "id ends at the last byte", new byte[] { 1, 2, 'a', 'b' } },
                { "exclude longer than the message", new byte[] { 1, 0, 5, '1', '.' } },
                { "negative lengths read as large", new byte[] { 1, (byte) 0xff, 0 } } };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void rejectsBadVersionsAndTruncatedEnvelopes(String what, byte[] bytes) {
        assertThatThrownBy(() -> EnvelopeCodec.decode(CHANNEL, bytes)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertSame(Envelope actual, Envelope expected) {
        assertThat(actual.channel()).isEqualTo(expected.channel());
        assertThat(actual.messageId()).isEqualTo(expected.messageId());
        assertThat(actual.excludeSocketId()).isEqualTo(expected.excludeSocketId());
        assertThat(actual.frame()).isEqualTo(expected.frame());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTripsATerminateCommandAndKeepsMessagesInTheVersionOneLayout() {
        Envelope command = Envelope.terminateUser(new ChannelKey("app-1", "#server-to-user-42"), "cmd-1");

        byte[] wire = EnvelopeCodec.encode(command);
        Envelope decoded = EnvelopeCodec.decode(command.channel(), wire);

        assertThat(wire[0]).isEqualTo((byte) 2);
        assertThat(decoded.kind()).isEqualTo(Envelope.Kind.TERMINATE_USER);
        assertThat(decoded.messageId()).isEqualTo("cmd-1");
        assertThat(decoded.frame()).isEmpty();
        assertThat(EnvelopeCodec.encode(new Envelope(CHANNEL, "m", null, new byte[] { 1 }))[0]).isEqualTo((byte) 1);
        assertThat(EnvelopeCodec.decode(CHANNEL, EnvelopeCodec.encode(new Envelope(CHANNEL, "m", null,
                new byte[] { 1 }))).kind()).isEqualTo(Envelope.Kind.MESSAGE);
    }

    @Test
    void rejectsAnUnknownKind() {
        assertThatThrownBy(() -> EnvelopeCodec.decode(CHANNEL, new byte[] { 2, 9, 0, 0 }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
