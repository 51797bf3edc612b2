package io.herald.publish.config;

import io.herald.core.debug.DebugConsole;

import io.herald.core.app.AppStore;
import io.herald.core.broker.Broker;
import io.herald.core.config.AppSecretsRequired;
import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.signature.RequestSignature;
import io.herald.core.state.ChannelCache;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelStateProperties;
import io.herald.publish.ChannelInfoProvider;
import io.herald.publish.ChannelStateInfoProvider;
import io.herald.publish.EventPublisher;
import io.herald.publish.EventRequestParser;
import io.herald.publish.PublishMeters;
import io.herald.publish.query.ChannelQueryHandler;
import io.herald.publish.query.ChannelQueryRoutes;
import io.herald.core.usage.UsageSink;
import io.herald.publish.web.ApiErrorFilter;
import io.herald.publish.web.PublishHandler;
import io.herald.publish.web.PublishNettyRoutes;
import io.herald.publish.user.UserRoutes;
import io.herald.publish.web.PublishRoutes;
import io.herald.publish.web.ApiQuotas;
import io.herald.publish.web.RequestAuthenticator;
import io.herald.core.config.RateLimitCoreConfiguration;
import io.herald.core.ratelimit.AppQuotas;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The publish role: the Pusher HTTP API ({@code POST /apps/{id}/events}, {@code /batch_events},
 * the channel queries {@code GET /apps/{id}/channels…} and {@code terminate_connections}). A
 * Spring Boot auto-configuration, on only with {@value #ENABLED}{@code =true}
 * ({@link io.herald.publish.PublishServiceApplication} and the standalone server set it); off, it
 * declares no bean and no route. The webhook dispatcher is a role of its own
 * ({@link io.herald.publish.webhook.WebhookDispatcherConfiguration}), on by default wherever this
 * one is.
 *
 * <p>No component scanning; every bean replaceable by declaring one of the same type (the routes:
 * of the same name, {@code publishRoutes}, since other roles declare router functions too) in the
 * application's own configuration, which Spring Boot processes before auto-configurations.
 *
 * <p>Needs a WebFlux server; uses the {@code MeterRegistry} when there is one, else Micrometer's
 * global registry.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(PublishConfiguration.ENABLED)
@Import({ HeraldCoreConfiguration.class, RateLimitCoreConfiguration.class })
@EnableConfigurationProperties(PublishProperties.class)
public class PublishConfiguration {

    /** The role's switch. */
    public static final String ENABLED = "herald.publish.enabled";

    /** {@code herald.http.observe-pusher-paths} ({@link io.herald.core.web.HttpServerProperties}). */
    static final String OBSERVE_PUSHER_PATHS = "herald.http.observe-pusher-paths";

    /**
     * Refuses to start with {@code herald.auth.url}: this service checks signatures with the apps'
     * secrets, which auth-service never gives out.
     */
    @Bean
    public static AppSecretsRequired publishNeedsAppSecrets() {
        return new AppSecretsRequired("the Pusher HTTP API (publish-service, also part of the standalone server)");
    }

    @Bean
    @ConditionalOnMissingBean
    public RequestSignature publishRequestSignature(Clock clock, PublishProperties properties) {
        return new RequestSignature(clock, properties.timestampWindow());
    }

    @Bean
    @ConditionalOnMissingBean
    public PublishMeters publishMeters(ObjectProvider<MeterRegistry> registry, ObjectProvider<UsageSink> usage) {
        return new PublishMeters(registry.getIfAvailable(() -> Metrics.globalRegistry),
                usage.getIfAvailable(() -> UsageSink.NONE));
    }

    /** {@code info} counts from the cluster-wide channel state. */
    @Bean
    @ConditionalOnMissingBean
    public ChannelInfoProvider channelInfoProvider(ChannelState channelState) {
        return new ChannelStateInfoProvider(channelState);
    }

    @Bean
    @ConditionalOnMissingBean
    public EventRequestParser eventRequestParser(PublishProperties properties) {
        return new EventRequestParser(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    public EventPublisher eventPublisher(Broker broker, PublishMeters meters, PublishProperties properties,
            ChannelCache channelCache, ChannelStateProperties state, DebugConsole debug, Clock clock) {
        return new EventPublisher(broker, meters, properties.retryAfter(), channelCache, state.cacheTtl(), debug,
                clock);
    }

    @Bean
    @ConditionalOnMissingBean
    public RequestAuthenticator requestAuthenticator(AppStore apps, RequestSignature signature,
            PublishProperties properties, ApiQuotas quotas) {
        return new RequestAuthenticator(apps, signature, (int) properties.maxRequestSize().toBytes(), quotas);
    }

    @Bean
    @ConditionalOnMissingBean
    public ApiQuotas apiQuotas(LeasedRateLimiter limiter, AppQuotas quotas, ObjectProvider<MeterRegistry> registry,
            PublishProperties properties) {
        return new ApiQuotas(limiter, quotas, registry.getIfAvailable(() -> Metrics.globalRegistry),
                properties.apiRequestLimit());
    }

    @Bean
    @ConditionalOnMissingBean
    public ApiErrorFilter publishApiErrorFilter(PublishMeters meters, PublishProperties properties) {
        return new ApiErrorFilter(meters, properties.retryAfter());
    }

    @Bean
    @ConditionalOnMissingBean
    public PublishHandler publishHandler(RequestAuthenticator authenticator, EventRequestParser parser,
            EventPublisher publisher, ChannelInfoProvider channelInfo, PublishMeters meters) {
        return new PublishHandler(authenticator, parser, publisher, channelInfo, meters);
    }

    @Bean
    @ConditionalOnMissingBean
    public ChannelQueryHandler channelQueryHandler(RequestAuthenticator authenticator, ChannelState channelState,
            PublishProperties properties) {
        return new ChannelQueryHandler(authenticator, channelState, properties.retryAfter());
    }

    /** {@code GET /apps/{id}/channels…}: the channel queries. */
    @Bean
    @ConditionalOnMissingBean(name = "channelQueryRoutes")
    public RouterFunction<ServerResponse> channelQueryRoutes(ChannelQueryHandler handler,
            ApiErrorFilter publishApiErrorFilter) {
        return ChannelQueryRoutes.routes(handler, publishApiErrorFilter);
    }

    @Bean
    @ConditionalOnMissingBean(name = "publishRoutes")
    public RouterFunction<ServerResponse> publishRoutes(PublishHandler handler, ApiErrorFilter publishApiErrorFilter) {
        return PublishRoutes.routes(handler, publishApiErrorFilter);
    }

    /**
     * The publish endpoints on a Reactor Netty route below Spring's dispatcher ({@link PublishNettyRoutes}),
     * in front of {@link #publishRoutes}, which still answer whatever the route does not claim. Off with
     * {@value #OBSERVE_PUSHER_PATHS}{@code =true}: whoever asks for Spring's {@code http.server.requests}
     * on the Pusher paths gets them through WebFlux, where that observation is made.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(NettyRouteProvider.class)
    @ConditionalOnBooleanProperty(name = OBSERVE_PUSHER_PATHS, havingValue = false, matchIfMissing = true)
    static class PublishNettyRouteConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "publishNettyRoutes")
        public PublishNettyRoutes publishNettyRoutes(PublishHandler handler, ApiErrorFilter publishApiErrorFilter) {
            return new PublishNettyRoutes(handler, publishApiErrorFilter);
        }
    }

    /** {@code POST /apps/{id}/users/{user_id}/terminate_connections}. */
    @Bean
    @ConditionalOnMissingBean(name = "userRoutes")
    public RouterFunction<ServerResponse> userRoutes(RequestAuthenticator authenticator, Broker broker,
            PublishProperties properties, ApiErrorFilter publishApiErrorFilter) {
        return new UserRoutes(authenticator, broker, properties.retryAfter()).routes(publishApiErrorFilter);
    }
}
