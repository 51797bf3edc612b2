package io.herald.core.config;

import io.herald.core.web.HttpConnectionGuard;
import io.herald.core.web.HttpServerProperties;
import io.herald.core.web.PusherPaths;
import io.herald.core.web.PusherPathsSecurityBypass;
import io.micrometer.observation.ObservationPredicate;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.security.web.server.WebFilterChainProxy;
import reactor.netty.NettyPipeline;

/**
 * The limits on slow HTTP clients ({@code herald.http.*}) on the server of every Herald service:
 * every role imports {@link HeraldCoreConfiguration}, which imports this, and Spring Boot applies
 * every {@link NettyServerCustomizer} bean to the server it builds. Where a role brings Spring
 * Security, its filter chain is kept off the Pusher paths ({@link PusherPathsSecurityBypass}); and
 * unless {@code herald.http.observe-pusher-paths} is set, so is the {@code http.server.requests}
 * observation (Spring Boot applies every {@link ObservationPredicate} bean to its registry).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HttpServerProperties.class)
public class HttpServerConfiguration {

    /** Installs an {@link HttpConnectionGuard} on every new connection. */
    @Bean
    public NettyServerCustomizer heraldHttpConnectionGuard(HttpServerProperties properties) {
        return server -> server.doOnChannelInit((observer, channel, remoteAddress) ->
                HttpConnectionGuard.install(channel, NettyPipeline.HttpCodec, properties));
    }

    /** {@code TCP_NODELAY} on accepted connections as {@code herald.http.tcp-no-delay} says. */
    @Bean
    public NettyServerCustomizer heraldTcpNoDelay(HttpServerProperties properties) {
        return server -> server.childOption(ChannelOption.TCP_NODELAY, properties.tcpNoDelay());
    }

    /**
     * One receive-buffer sizer shared by every connection. Netty's default is a new
     * {@link AdaptiveRecvByteBufAllocator} per channel, 32 bytes held by each idle connection for
     * nothing but the same three limits; what adapts per connection (the next read's size) stays
     * in each channel's own handle, so reads are sized as before.
     */
    @Bean
    public NettyServerCustomizer heraldSharedReceiveBufferAllocator() {
        RecvByteBufAllocator shared = new AdaptiveRecvByteBufAllocator();
        return server -> server.childOption(ChannelOption.RCVBUF_ALLOCATOR, shared);
    }

    /**
     * Skips the {@code http.server.requests} observation of plainly Pusher paths unless
     * {@code herald.http.observe-pusher-paths}: opening and closing it (a timer and a long-task
     * timer looked up by tags, per request) was ~20 % of a signed publish.
     */
    @Bean
    public ObservationPredicate heraldPusherPathsObservations(HttpServerProperties properties) {
        if (properties.observePusherPaths()) {
            return (name, context) -> true;
        }
        return (name, context) -> !(context instanceof ServerRequestObservationContext server
                && PusherPaths.isPlain(server.getCarrier().getPath().value()));
    }

    /** Where Spring Security is on the class path: no security chain consulted for the Pusher paths. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(WebFilterChainProxy.class)
    static class SecurityBypassConfiguration {

        /** Static: a post-processor must not make its configuration class an early bean. */
        @Bean
        static BeanPostProcessor heraldPusherPathsSecurityBypass() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) {
                    return bean instanceof WebFilterChainProxy proxy && !(bean instanceof PusherPathsSecurityBypass)
                            ? new PusherPathsSecurityBypass(proxy) : bean;
                }
            };
        }
    }
}
