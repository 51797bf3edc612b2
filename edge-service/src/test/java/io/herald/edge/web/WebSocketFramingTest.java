package io.herald.edge.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.edge.OutboundFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The pre-encoded WebSocket frame is what Netty's own encoder would have written, and passes it untouched. */
class WebSocketFramingTest {

    @Test
    void encodesTheSameBytesAsNettysServerEncoderAtEveryLengthBoundary() {
        for (int length : new int[] { 0, 1, 125, 126, 127, 65_535, 65_536, 70_000 }) {
            byte[] payload = new byte[length];
            Arrays.fill(payload, (byte) 'x');
            ByteBuf ours = OutboundFrame.encodeWebSocket(Unpooled.buffer().alloc(), payload);
            EmbeddedChannel netty = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
            netty.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
            ByteBuf theirs = Unpooled.buffer();
            for (ByteBuf part; (part = netty.readOutbound()) != null; part.release()) {
                theirs.writeBytes(part);
            }
            assertThat(ByteBufUtil.equals(ours, theirs)).as("frame of %d payload bytes", length).isTrue();
            ours.release();
            theirs.release();
            netty.finishAndReleaseAll();
        }
    }

    @Test
    void aRawBufferPassesTheFrameEncoderAsTheSameBuffer() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
        OutboundFrame frame = new OutboundFrame("{\"event\":\"e\"}".getBytes());
        ByteBuf duplicate = frame.webSocketFrame().retainedDuplicate();
        channel.writeOutbound(duplicate);
        ByteBuf out = channel.readOutbound();
        assertThat(out).isSameAs(duplicate);
        out.release();
        assertThat(frame.webSocketFrame().refCnt()).isEqualTo(1);
        frame.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void theSharedBufferIsFreedByTheLastRelease() {
        OutboundFrame frame = new OutboundFrame("x".getBytes());
        ByteBuf encoded = frame.webSocketFrame();
        assertThat(frame.webSocketFrame()).isSameAs(encoded);
        frame.retain();
        frame.release();
        assertThat(encoded.refCnt()).isEqualTo(1);
        frame.release();
        assertThat(encoded.refCnt()).isZero();
    }
}
