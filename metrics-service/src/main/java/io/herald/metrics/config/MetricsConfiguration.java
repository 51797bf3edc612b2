package io.herald.metrics.config;

import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.redis.RedisConnections;
import io.herald.core.usage.InMemoryUsageStore;
import io.herald.core.usage.UsageStore;
import io.herald.core.usage.UsageStream;
import io.herald.core.usage.redis.RedisUsageStore;
import io.herald.metrics.UsageAggregator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.herald.core.web.ApiErrorResponses;
import io.herald.metrics.web.UsageHandler;
import io.herald.metrics.security.AppAccess;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The metrics role: consumes the usage stream into the {@link UsageStore}.
 *
 * <p>Sign-in and who may read what: {@link DashboardSecurityConfiguration}. Ordered before Spring
 * Boot's security auto-configurations, so that they find this role's filter chain and add none
 * that would secure every path of the process.
 *
 * <p>With {@code herald.redis.state}: a {@link RedisUsageStore} fed from the Redis Stream,
 * shared by every metrics-service replica (each a consumer of one group). Without it (the
 * standalone server): an {@link InMemoryUsageStore} fed from the in-memory stream of this same
 * process.
 */
@AutoConfiguration(before = { ReactiveUserDetailsServiceAutoConfiguration.class,
        ReactiveManagementWebSecurityAutoConfiguration.class, ReactiveWebSecurityAutoConfiguration.class })
@ConditionalOnBooleanProperty(MetricsConfiguration.ENABLED)
@EnableConfigurationProperties(MetricsProperties.class)
@Import({ HeraldCoreConfiguration.class, DashboardSecurityConfiguration.class })
public class MetricsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MetricsConfiguration.class);

    /** The role's switch. */
    public static final String ENABLED = "herald.metrics.enabled";

    /** Closed by Spring's inferred destroy method when it has one (the Redis store). */
    @Bean
    @ConditionalOnMissingBean
    public UsageStore usageStore(RedisConnections redis, Clock clock, MetricsProperties properties) {
        if (redis.properties().state() != null) {
            log.info("Usage series: on the state Redis ({}usage:*)", redis.keyPrefix());
            return new RedisUsageStore(redis, properties.retention());
        }
        log.info("Usage series: in memory (single process only)");
        return new InMemoryUsageStore(clock, properties.retention());
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnMissingBean
    public UsageAggregator usageAggregator(UsageStream stream, UsageStore store, MetricsProperties properties) {
        String name = properties.consumerName().isEmpty() ? defaultName() : properties.consumerName();
        return new UsageAggregator(stream, store, name, properties.batchSize(), Duration.ofSeconds(1),
                properties.claimIdle(), properties.claimInterval(), Duration.ofSeconds(1));
    }

    /**
     * The usage API, {@code /usage/apps/{app_id}}, and its OpenAPI description,
     * {@code /usage/openapi.json}. Who may read which app: {@link AppAccess}
     * ({@link DashboardSecurityConfiguration}: the operator every app, a tenant user its own).
     */
    @Bean
    @ConditionalOnMissingBean(name = "usageRoutes")
    public RouterFunction<ServerResponse> usageRoutes(UsageStore store, AppAccess access, Clock clock)
            throws IOException {
        UsageHandler handler = new UsageHandler(store, access, clock);
        byte[] openApi;
        try (InputStream in = UsageHandler.class.getResourceAsStream("usage-openapi.json")) {
            openApi = in.readAllBytes();
        }
        ApiErrorResponses errors = new ApiErrorResponses(log, status -> {
        });
        return RouterFunctions.route()
                .GET("/usage/apps/{app_id}", handler::usage)
                .GET("/usage/openapi.json", request -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(openApi))
                .filter(errors::filter)
                .build();
    }

    @Bean
    public MeterBinder usageAggregatorMeters(UsageAggregator aggregator) {
        return registry -> {
            FunctionCounter.builder(HeraldMeters.USAGE_DELTAS_APPLIED.meterName(), aggregator, UsageAggregator::applied)
                    .description("Usage deltas read from the usage stream").tag("outcome", "applied").register(registry);
            FunctionCounter.builder(HeraldMeters.USAGE_DELTAS_APPLIED.meterName(), aggregator, UsageAggregator::duplicates)
                    .description("Usage deltas read from the usage stream").tag("outcome", "duplicate").register(registry);
        };
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (Exception ex) {
            host = "metrics";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
