package io.herald.core.config;

import io.herald.core.web.HttpConnectionGuard;
import io.herald.core.web.HttpServerProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;

/**
 * The limits on slow HTTP clients ({@code herald.http.*}) on the server of every Herald service:
 * every role imports {@link HeraldCoreConfiguration}, which imports this, and Spring Boot applies
 * every {@link NettyServerCustomizer} bean to the server it builds.
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
}
