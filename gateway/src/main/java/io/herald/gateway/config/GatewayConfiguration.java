package io.herald.gateway.config;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.herald.core.config.BeforeServerStops;
import io.herald.core.metrics.HeraldMeters;
import io.herald.gateway.web.AppIdKeyResolver;
import io.micrometer.core.instrument.config.MeterFilter;
import io.herald.gateway.web.PathGuard;
import io.herald.gateway.web.ProxiedWebSockets;
import io.herald.gateway.web.TenantRequestLimit;
import io.herald.gateway.web.Unavailable;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.socket.server.WebSocketService;
import reactor.core.scheduler.Schedulers;

/**
 * The gateway role: Herald's routes on Spring Cloud Gateway ({@link GatewayRoutes}), the service
 * instances from configuration ({@link Backends}), the breakers' settings and JSON 503 fallback,
 * and the path guard. A Spring Boot auto-configuration, on only with {@value #ENABLED}{@code =true}
 * ({@code GatewayApplication} sets it). The gateway is its own process, never a role of the
 * standalone server (docs/architecture.md, "Departures"). Every bean replaceable.
 *
 * <p>The per-tenant API request limit ({@link TenantLimitConfiguration}, on with
 * {@code herald.ratelimit.url}): {@link AppIdKeyResolver} is the key of Spring Cloud Gateway's
 * rate-limiter SPI, whose limiter is Herald's {@code RateLimiter} port (rate-limit-service).
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(GatewayConfiguration.ENABLED)
@EnableConfigurationProperties(GatewayProperties.class)
@Import(TenantLimitConfiguration.class)
public class GatewayConfiguration {

    /** The role's switch. */
    public static final String ENABLED = "herald.gateway.enabled";

    private static final Logger log = LoggerFactory.getLogger(GatewayConfiguration.class);

    /**
     * Wraps Spring Cloud Gateway's WebSocket service (the one its {@code WebsocketRoutingFilter}
     * upgrades with; not replaceable by a bean of our own, it is declared unconditionally) in
     * {@link ProxiedWebSockets}, which knows the proxied WebSockets so that the drain can close them.
     */
    @Bean
    public static BeanPostProcessor heraldProxiedWebSockets() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof WebSocketService service && !(bean instanceof ProxiedWebSockets)
                        ? new ProxiedWebSockets(service, Schedulers.parallel()) : bean;
            }
        };
    }

    /**
     * On shutdown, before the web server stops: turns readiness to {@code REFUSING_TRAFFIC}, closes
     * the proxied WebSockets with 4200 (reconnect) spread over {@code herald.gateway.drain-period},
     * and waits up to {@code herald.gateway.drain-timeout} for them to end. Runs on the thread that
     * closes the context (the JVM's shutdown hook on SIGTERM), never on an event loop: it sleeps.
     */
    @Bean
    public SmartLifecycle gatewayDrain(ObjectProvider<WebSocketService> services, GatewayProperties properties,
            ApplicationEventPublisher events) {
        return new BeforeServerStops(() -> {
            AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
            if (!(services.getIfUnique() instanceof ProxiedWebSockets sockets)) {
                return;
            }
            sockets.drain(properties.drainPeriod());
            long start = System.nanoTime();
            if (BeforeServerStops.waitWhile(() -> sockets.size() > 0, start + properties.drainTimeout().toNanos())) {
                log.info("Drained in {} ms: {} proxied WebSocket(s) still open",
                        Duration.ofNanos(System.nanoTime() - start).toMillis(), sockets.size());
            }
        });
    }

    @Bean
    @ConditionalOnMissingBean
    public Backends heraldBackends(GatewayProperties properties) {
        return new Backends(properties);
    }

    @Bean
    @ConditionalOnMissingBean(name = "heraldRoutes")
    public RouteLocator heraldRoutes(RouteLocatorBuilder builder, GatewayProperties properties,
            ObjectProvider<TenantRequestLimit> tenantLimit) {
        return GatewayRoutes.routes(builder, properties, tenantLimit.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean(name = "heraldUnavailableRoutes")
    public RouterFunction<ServerResponse> heraldUnavailableRoutes() {
        return Unavailable.routes();
    }

    @Bean
    @ConditionalOnMissingBean
    public PathGuard heraldPathGuard() {
        return new PathGuard();
    }

    /** Caps the distinct {@code app_id} values of Herald's meters, as every service does (HeraldCoreConfiguration). */
    @Bean
    public MeterFilter heraldAppIdCardinalityLimit() {
        return MeterFilter.maximumAllowableTags("herald", HeraldMeters.APP_ID, HeraldMeters.MAX_APP_ID_TAGS,
                MeterFilter.deny());
    }

    /** The key of the per-app request limit. */
    @Bean
    @ConditionalOnMissingBean
    public AppIdKeyResolver appIdKeyResolver() {
        return new AppIdKeyResolver();
    }

    /**
     * The client of Spring Cloud LoadBalancer's health checks (its health-check configuration is
     * only active with a {@code WebClient.Builder} bean, which Spring Boot 4 declares only with
     * its separate WebClient module). A plain builder: the checks go to each instance directly.
     */
    @Bean
    @ConditionalOnMissingBean
    public WebClient.Builder heraldHealthCheckWebClientBuilder() {
        return WebClient.builder();
    }

    /** Every route's breaker, with the request timeout as its time limit. */
    @Bean
    public Customizer<ReactiveResilience4JCircuitBreakerFactory> heraldBreakers(GatewayProperties properties) {
        GatewayProperties.Breaker breaker = properties.breaker();
        return factory -> factory.configureDefault(id -> new Resilience4JConfigBuilder(id)
                .circuitBreakerConfig(CircuitBreakerConfig.custom()
                        .failureRateThreshold(breaker.failureRateThreshold())
                        .slidingWindowSize(breaker.windowSize())
                        .minimumNumberOfCalls(breaker.minimumCalls())
                        .waitDurationInOpenState(breaker.openFor())
                        .build())
                .timeLimiterConfig(TimeLimiterConfig.custom().timeoutDuration(properties.timeout()).build())
                .build());
    }
}
