package io.herald.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.resource.EpollProvider;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Redis connections' DNS resolver reuses an answer at most {@link RedisConnections#DNS_MAX_TTL},
 * whatever TTL the name server gives: a Redis that comes back at a new address (a container
 * restarted; podman's DNS answers with a TTL of a day) is found there. A name server of the test's
 * own, on loopback, answers with a TTL of a day and changes its answer.
 */
class RedisDnsTest {

    private static final long ONE_DAY_SECONDS = 86_400;

    @Test
    void aChangedAddressIsSeenAlthoughTheNameServerSaysToKeepTheOldOneForADay() throws Exception {
        AtomicReference<byte[]> answer = new AtomicReference<>(new byte[] {10, 0, 0, 1});
        EventLoopGroup serverLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1,
                EpollProvider.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            Channel server = nameServer(serverLoop, answer);
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            AddressResolverGroup<?> group = RedisConnections.dnsResolver(hostname -> DnsServerAddresses.singleton(address).stream());
            EventLoop loop = clientLoop.next();
            @SuppressWarnings("unchecked")
            AddressResolver<InetSocketAddress> resolver = (AddressResolver<InetSocketAddress>) group.getResolver(loop);

            assertThat(resolve(resolver)).isEqualTo("10.0.0.1");
            answer.set(new byte[] {10, 0, 0, 2});
            // Within the cap (5 s), the cached answer may still be given; after it, the new one.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> resolve(resolver).equals("10.0.0.2"));

            group.close();
            server.close().sync();
        }
        finally {
            serverLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
            clientLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    private static String resolve(AddressResolver<InetSocketAddress> resolver) throws Exception {
        InetSocketAddress resolved = resolver.resolve(InetSocketAddress.createUnresolved("redis-shard.herald.test", 6379))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        return resolved.getAddress().getHostAddress();
    }

    /** A UDP name server on loopback answering every A query with the current address and a TTL of a day. */
    private static Channel nameServer(EventLoopGroup group, AtomicReference<byte[]> answer) throws InterruptedException {
        return new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel channel) {
                        channel.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
                                        DnsRecord question = query.recordAt(DnsSection.QUESTION);
                                        DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(),
                                                query.sender(), query.id());
                                        response.setRecursionAvailable(true);
                                        response.addRecord(DnsSection.QUESTION, question);
                                        if (question.type() == DnsRecordType.A) {
                                            response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(),
                                                    DnsRecordType.A, ONE_DAY_SECONDS, Unpooled.wrappedBuffer(answer.get())));
                                        }
                                        ctx.writeAndFlush(response);
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }
}
