package io.herald.bench.jmh.edge;

import io.herald.core.app.App;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.InMemoryBroker;
import io.herald.core.protocol.PusherCodec;
import io.herald.edge.EdgeConnection;
import io.herald.edge.LocalFanout;
import io.herald.edge.LoopWriters;
import io.herald.edge.OutboundFrame;
import io.herald.edge.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.Constructor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * The fan-out loop (issue 10): {@code LocalFanout.onMessage} to N connections that are real
 * loopback TCP sockets (epoll where available, as the server runs), owned by two server event
 * loops whose pipelines hold {@code WebSocket08FrameEncoder} as the edge's do; the clients'
 * side only counts the bytes. One operation is one message, measured until every client has
 * received its frame, so the figure includes the lane-to-loop hand-off, the writes, the flushes
 * and the kernel, i.e. what a delivery costs end to end, divided by N per subscriber.
 *
 * <p>The transport here is a plain-channel {@link Transport} written like
 * {@code WebSocketTransport} (duplicate of the shared frame, void promise, Netty's outbound
 * buffer for the bound); the WebSocket one needs a Spring session, which only a running server
 * makes. Run: {@code java -jar bench/jmh/target/herald-benchmarks.jar FanoutBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class FanoutBenchmark {

    @Param({ "100", "1000" })
    int subscribers;

    private EventLoopGroup serverLoops;
    private EventLoopGroup clientLoops;
    private Channel server;
    private final List<Channel> clients = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private LocalFanout fanout;
    private InMemoryBroker broker;
    private Envelope envelope;
    private long frameBytes;
    private long expected;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // Epoll is on the runtime class path only (through Reactor Netty), hence reflection.
        boolean epoll = (boolean) Class.forName("io.netty.channel.epoll.Epoll").getMethod("isAvailable").invoke(null);
        serverLoops = new MultiThreadIoEventLoopGroup(2, ioHandler(epoll));
        clientLoops = new MultiThreadIoEventLoopGroup(1, ioHandler(epoll));
        @SuppressWarnings("unchecked")
        Class<? extends ServerChannel> serverChannel = epoll
                ? (Class<? extends ServerChannel>) Class.forName("io.netty.channel.epoll.EpollServerSocketChannel")
                : NioServerSocketChannel.class;
        @SuppressWarnings("unchecked")
        Class<? extends Channel> clientChannel = epoll
                ? (Class<? extends Channel>) Class.forName("io.netty.channel.epoll.EpollSocketChannel")
                : NioSocketChannel.class;
        LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        server = new ServerBootstrap().group(serverLoops)
                .channel(serverChannel)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new WebSocket08FrameEncoder(false));
                        accepted.add(ch);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Bootstrap client = new Bootstrap().group(clientLoops)
                .channel(clientChannel)
                .handler(new Counting(received));
        for (int i = 0; i < subscribers; i++) {
            clients.add(client.connect(server.localAddress()).sync().channel());
        }
        broker = new InMemoryBroker();
        fanout = new LocalFanout(broker, new SimpleMeterRegistry());
        ChannelKey key = new ChannelKey("bench", "firehose");
        LoopWriters writers = new LoopWriters();
        App app = new App("bench", "bench-key", "bench-secret", "bench", true, 10_240);
        Constructor<EdgeConnection> constructor = EdgeConnection.class.getDeclaredConstructor(Transport.class,
                io.herald.edge.LoopWriter.class, App.class, String.class, long.class, int.class, long.class,
                Counter.class);
        constructor.setAccessible(true);
        Counter dropped = Counter.builder("dropped").register(new SimpleMeterRegistry());
        for (int i = 0; i < subscribers; i++) {
            Channel channel = accepted.poll(10, TimeUnit.SECONDS);
            ChannelTransport transport = new ChannelTransport(channel);
            EdgeConnection connection = constructor.newInstance(transport, writers.of(transport.eventLoop()), app,
                    "1." + i, 64L << 20, 1 << 20, System.nanoTime(), dropped);
            fanout.subscribe(key, connection).block();
        }
        byte[] frame = PusherCodec.channelEvent("tick", "firehose", "{\"seq\":1,\"sent\":1733100000000}", null);
        envelope = new Envelope(key, "m", null, frame);
        OutboundFrame encoded = new OutboundFrame(frame);
        frameBytes = encoded.webSocketFrame().readableBytes();
        encoded.release();
    }

    private static IoHandlerFactory ioHandler(boolean epoll) throws ReflectiveOperationException {
        return epoll ? (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler").getMethod("newFactory")
                .invoke(null) : NioIoHandler.newFactory();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        fanout.close();
        broker.close();
        for (Channel c : clients) {
            c.close();
        }
        server.close().sync();
        serverLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** One message to every subscriber, until all of them have received it. */
    @Benchmark
    public long fanOutOneMessage() {
        expected += frameBytes * subscribers;
        fanout.onMessage(envelope);
        long got;
        while ((got = received.get()) < expected) {
            Thread.onSpinWait();
        }
        return got;
    }

    /** The clients' side: counts and frees what arrives. */
    @ChannelHandler.Sharable
    static final class Counting extends ChannelInboundHandlerAdapter {

        private final AtomicLong received;

        Counting(AtomicLong received) {
            this.received = received;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received.addAndGet(((ByteBuf) msg).readableBytes());
            ((ByteBuf) msg).release();
        }
    }

    /** A Transport over a plain Netty channel, writing as WebSocketTransport does. */
    static final class ChannelTransport implements Transport {

        private final Channel channel;

        ChannelTransport(Channel channel) {
            this.channel = channel;
        }

        @Override
        public EventExecutor eventLoop() {
            return channel.eventLoop();
        }

        @Override
        public boolean write(OutboundFrame frame) {
            channel.write(frame.webSocketFrame().retainedDuplicate(), channel.voidPromise());
            return true;
        }

        @Override
        public void flush() {
            channel.flush();
        }

        @Override
        public long pendingBytes() {
            ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
            return buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }

        @Override
        public int pendingFrames() {
            ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
            return buffer == null ? 0 : buffer.size();
        }

        @Override
        public void close(int code, String reason) {
            channel.close();
        }
    }
}
