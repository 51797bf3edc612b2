package io.herald.bench.jmh.edge;

import io.herald.core.protocol.PusherCodec;
import io.herald.edge.OutboundFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-message encode of the delivery hot path (issue 10): the Pusher event frame
 * ({@code PusherCodec.channelEvent}, once per message in publish-service) and the whole
 * WebSocket frame around it ({@link OutboundFrame#encodeWebSocket}, once per message per edge
 * node), pooled or unpooled; against what the old path paid per subscriber, Netty's
 * {@code WebSocket08FrameEncoder} encoding a {@code TextWebSocketFrame} (header buffer + the
 * wrapped payload). Run with {@code -prof gc} for allocation:
 * {@code java -jar bench/jmh/target/herald-benchmarks.jar FrameCodecBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameCodecBenchmark {

    /** The event data's length: S1's load tool sends about 60 bytes; 2,000 is a larger message. */
    @Param({ "60", "2000" })
    int dataLength;

    private String data;
    private byte[] payload;
    private final ByteBufAllocator pooled = ByteBufAllocator.DEFAULT;
    private final ByteBufAllocator unpooled = UnpooledByteBufAllocator.DEFAULT;
    private EmbeddedChannel nettyEncoder;

    @Setup
    public void setUp() {
        data = "{\"t\":" + "1".repeat(Math.max(1, dataLength - 6)) + "}";
        payload = PusherCodec.channelEvent("tick", "bench-channel", data, null);
        nettyEncoder = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nettyEncoder.finishAndReleaseAll();
    }

    /** publish-service's one encode per message: the Pusher JSON frame. */
    @Benchmark
    public byte[] pusherEventFrame() {
        return PusherCodec.channelEvent("tick", "bench-channel", data, null);
    }

    /** The edge's one encode per message: header + payload into one pooled direct buffer (then freed). */
    @Benchmark
    public int webSocketFramePooled() {
        ByteBuf frame = OutboundFrame.encodeWebSocket(pooled, payload);
        int size = frame.readableBytes();
        frame.release();
        return size;
    }

    /** The same into an unpooled direct buffer. */
    @Benchmark
    public int webSocketFrameUnpooled() {
        ByteBuf frame = OutboundFrame.encodeWebSocket(unpooled, payload);
        int size = frame.readableBytes();
        frame.release();
        return size;
    }

    /** What the old path paid per subscriber: a TextWebSocketFrame around the wrapped payload, encoded by Netty. */
    @Benchmark
    public int nettyEncoderPerSubscriber() {
        nettyEncoder.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        int size = 0;
        for (ByteBuf part; (part = nettyEncoder.readOutbound()) != null; part.release()) {
            size += part.readableBytes();
        }
        return size;
    }

    /** What the new path pays per subscriber for the buffer: one retained duplicate, released by the write. */
    @State(Scope.Benchmark)
    public static class Shared {
        ByteBuf frame;

        @Setup
        public void setUp(FrameCodecBenchmark outer) {
            outer.setUp();
            frame = OutboundFrame.encodeWebSocket(ByteBufAllocator.DEFAULT, outer.payload);
        }

        @TearDown
        public void tearDown() {
            frame.release();
        }
    }

    @Benchmark
    public int retainedDuplicatePerSubscriber(Shared shared) {
        ByteBuf duplicate = shared.frame.retainedDuplicate();
        int size = duplicate.readableBytes();
        duplicate.release();
        return size;
    }
}
