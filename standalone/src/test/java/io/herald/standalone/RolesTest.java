package io.herald.standalone;

import io.herald.ratelimit.RateLimitServiceApplication;
import io.herald.ratelimit.config.RateLimitServiceConfiguration;
import io.herald.ratelimit.web.LeaseHandler;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.auth.AuthServiceApplication;
import io.herald.auth.config.AuthServiceConfiguration;
import io.herald.auth.config.AuthServiceOffConfiguration;
import io.herald.auth.web.AdminHandler;
import io.herald.core.usage.UsageCounter;
import io.herald.core.usage.UsageFlusher;
import io.herald.core.usage.UsageSink;
import io.herald.core.usage.UsageStore;
import io.herald.core.usage.UsageStream;
import io.herald.metrics.MetricsServiceApplication;
import io.herald.metrics.UsageAggregator;
import io.herald.metrics.config.MetricsConfiguration;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import io.herald.core.app.CachingAppStore;
import io.herald.core.broker.Broker;
import io.herald.edge.EdgeServiceApplication;
import io.herald.edge.config.EdgeConfiguration;
import io.herald.edge.web.PusherWebSocketRoute;
import io.herald.publish.EventPublisher;
import io.herald.publish.PublishServiceApplication;
import io.herald.publish.config.PublishConfiguration;
import io.herald.publish.webhook.WebhookDispatcher;
import io.herald.publish.webhook.WebhookDispatcherConfiguration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.web.reactive.function.server.RouterFunction;

/**
 * A classpath with every role, as here and in the end-to-end tests, where several servers run in
 * one JVM: what runs is what the switches say, and each service application's defaults switch on
 * its own role(s) only. Starts no server.
 */
class RolesTest {

    static final String ADMIN_TOKEN = "roles-test-admin-token-0123";
    static final String INTERNAL_TOKEN = "roles-test-internal-token-0123";

    private final ReactiveWebApplicationContextRunner everyRole = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EdgeConfiguration.class, PublishConfiguration.class,
                    WebhookDispatcherConfiguration.class, AuthServiceConfiguration.class,
                    AuthServiceOffConfiguration.class, RateLimitServiceConfiguration.class, MetricsConfiguration.class,
                    ReactiveUserDetailsServiceAutoConfiguration.class,
                    ReactiveWebSecurityAutoConfiguration.class));

    static ReactiveWebApplicationContextRunner with(ReactiveWebApplicationContextRunner runner,
            Map<String, Object> properties) {
        return runner.withPropertyValues(properties.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue()).toArray(String[]::new));
    }

    @Test
    void nothingSwitchedOnNothingRuns() {
        everyRole.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Broker.class)
                .doesNotHaveBean(RouterFunction.class).doesNotHaveBean(PusherWebSocketRoute.class)
                .doesNotHaveBean(WebhookDispatcher.class).doesNotHaveBean(ReactiveUserDetailsService.class)
                .doesNotHaveBean(LeaseHandler.class).doesNotHaveBean(UsageAggregator.class));
    }

    @Test
    void rateLimitServiceRunsTheLeaseApiOnly() {
        with(everyRole, RateLimitServiceApplication.defaultProperties())
                .withPropertyValues("herald.ratelimit.internal-token=" + INTERNAL_TOKEN)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(LeaseHandler.class)
                        .hasBean("leaseRoutes").doesNotHaveBean(PusherWebSocketRoute.class)
                        .doesNotHaveBean(EventPublisher.class).doesNotHaveBean(AdminHandler.class));
    }

    @Test
    void theStandaloneRunsTheRateLimitRoleAndItsPublishRoleSharesTheLimiter() {
        everyRole.withPropertyValues("herald.edge.enabled=true", "herald.publish.enabled=true",
                "herald.ratelimit.enabled=true").run(context -> assertThat(context).hasNotFailed()
                        .hasSingleBean(LeaseHandler.class).hasSingleBean(io.herald.core.ratelimit.RateLimiter.class)
                        .hasSingleBean(io.herald.core.ratelimit.LeasedRateLimiter.class)
                        .getBean(io.herald.core.ratelimit.RateLimiter.class)
                        .isInstanceOf(io.herald.core.ratelimit.InMemoryRateLimiter.class));
    }

    @Test
    void theEdgeServiceRunsTheEdgeOnly() {
        with(everyRole, EdgeServiceApplication.DEFAULTS).run(context -> assertThat(context).hasNotFailed()
                .hasSingleBean(PusherWebSocketRoute.class).doesNotHaveBean(EventPublisher.class)
                .doesNotHaveBean(WebhookDispatcher.class).doesNotHaveBean(AdminHandler.class)
                .doesNotHaveBean(RouterFunction.class).hasBean("heraldSecuresNothing")
                .doesNotHaveBean(UsageAggregator.class).hasSingleBean(UsageCounter.class));
    }

    /** The channel state in this process's memory: no other node can take the clients over, so no handover. */
    @Test
    void withoutRedisTheDrainHasNoHandover() {
        with(everyRole, EdgeServiceApplication.DEFAULTS).run(context -> assertThat(context).hasNotFailed()
                .getBean(io.herald.edge.EdgeDrain.class).extracting(io.herald.edge.EdgeDrain::handover)
                .isEqualTo(java.time.Duration.ZERO));
    }

    @Test
    void thePublishServiceRunsThePublishApiAndTheDispatcher() {
        with(everyRole, PublishServiceApplication.defaultProperties()).run(context -> assertThat(context)
                .hasNotFailed().hasSingleBean(EventPublisher.class).hasSingleBean(WebhookDispatcher.class)
                .hasBean("publishRoutes").doesNotHaveBean(PusherWebSocketRoute.class)
                .doesNotHaveBean(AdminHandler.class).hasBean("heraldSecuresNothing"));
    }

    @Test
    void authServiceRunsTheAdminAndInternalApisOnly() {
        with(everyRole, AuthServiceApplication.defaultProperties())
                .withPropertyValues("herald.auth.admin-token=" + ADMIN_TOKEN,
                        "herald.auth.internal-token=" + INTERNAL_TOKEN)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(AdminHandler.class)
                        .hasBean("authRoutes").doesNotHaveBean(PusherWebSocketRoute.class)
                        .doesNotHaveBean(EventPublisher.class).doesNotHaveBean(WebhookDispatcher.class)
                        .doesNotHaveBean("heraldSecuresNothing"));
    }

    @Test
    void metricsServiceRunsTheMetricsRoleOnly() {
        with(everyRole, MetricsServiceApplication.defaultProperties()).run(context -> assertThat(context)
                .hasNotFailed().hasSingleBean(UsageAggregator.class).hasSingleBean(UsageStore.class)
                .doesNotHaveBean(PusherWebSocketRoute.class).doesNotHaveBean(EventPublisher.class)
                .doesNotHaveBean(WebhookDispatcher.class).doesNotHaveBean(AdminHandler.class));
    }

    @Test
    void usageCountingCanBeSwitchedOff() {
        with(everyRole, EdgeServiceApplication.DEFAULTS).withPropertyValues("herald.usage.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(UsageCounter.class)
                        .doesNotHaveBean(UsageFlusher.class).getBean(UsageSink.class).isSameAs(UsageSink.NONE));
    }

    @Test
    void everyRoleOnSharesOneBrokerAndOneAppStore() {
        everyRole.withPropertyValues("herald.edge.enabled=true", "herald.publish.enabled=true", "herald.metrics.enabled=true",
                "herald.auth.enabled=true", "herald.auth.admin-token=" + ADMIN_TOKEN).run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PusherWebSocketRoute.class)
                            .hasSingleBean(EventPublisher.class).hasSingleBean(WebhookDispatcher.class)
                            .hasSingleBean(AdminHandler.class).hasSingleBean(Broker.class)
                            .hasSingleBean(AppRegistry.class).hasSingleBean(UsageAggregator.class)
                            .hasSingleBean(UsageCounter.class).hasSingleBean(UsageStream.class);
                    // What the admin API writes is what the edge and the HTTP API read.
                    AppStore apps = context.getBean(AppStore.class);
                    assertThat(apps).isInstanceOf(CachingAppStore.class);
                    assertThat(((CachingAppStore) apps).delegate()).isSameAs(context.getBean(AppRegistry.class));
                });
    }
}
