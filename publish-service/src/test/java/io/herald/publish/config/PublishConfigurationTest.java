package io.herald.publish.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.broker.Broker;
import io.herald.core.broker.InMemoryBroker;
import io.herald.core.signature.RequestSignature;
import io.herald.publish.ChannelInfoProvider;
import io.herald.publish.EventPublisher;
import io.herald.publish.web.PublishNettyRoutes;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Wiring of {@link PublishConfiguration}, without a server. */
class PublishConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PublishConfiguration.class))
            .withPropertyValues("herald.publish.enabled=true");

    @Test
    void theRoleIsOffWithoutItsSwitchAndLeavesNoRoute() {
        for (String switchValue : new String[] { null, "false" }) {
            ApplicationContextRunner off = new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(PublishConfiguration.class));
            if (switchValue != null) {
                off = off.withPropertyValues("herald.publish.enabled=" + switchValue);
            }
            off.run(context -> {
                assertThat(context).hasNotFailed().doesNotHaveBean(EventPublisher.class)
                        .doesNotHaveBean(RouterFunction.class).doesNotHaveBean(NettyRouteProvider.class)
                        .doesNotHaveBean(Broker.class)
                        .doesNotHaveBean(PublishProperties.class);
            });
        }
    }

    @Test
    void thePublishRouteBelowSpringIsOnUnlessThePusherPathsAreToBeObserved() {
        runner.run(context -> assertThat(context).hasNotFailed().hasSingleBean(NettyRouteProvider.class)
                .getBean(NettyRouteProvider.class).isInstanceOf(PublishNettyRoutes.class));
        runner.withPropertyValues("herald.http.observe-pusher-paths=true").run(context -> assertThat(context)
                .hasNotFailed().doesNotHaveBean(NettyRouteProvider.class).hasBean("publishRoutes"));
    }

    @Test
    void theServiceApplicationSwitchesItOn() {
        assertThat(io.herald.publish.PublishServiceApplication.defaultProperties())
                .containsEntry(PublishConfiguration.ENABLED, true);
    }

    @Test
    void definesTheApiWithPushersDefaults() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasBean("publishRoutes").hasSingleBean(EventPublisher.class)
                    .hasSingleBean(RequestSignature.class).hasSingleBean(ChannelInfoProvider.class);
            assertThat(context.getBean(Broker.class)).isInstanceOf(InMemoryBroker.class);
            PublishProperties properties = context.getBean(PublishProperties.class);
            assertThat(properties).isEqualTo(PublishProperties.defaults());
            assertThat(properties.maxRequestSize()).isEqualTo(DataSize.ofMegabytes(1));
            assertThat(properties.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            assertThat(properties.timestampWindow()).isEqualTo(Duration.ofSeconds(600));
            assertThat(properties.maxChannelsPerEvent()).isEqualTo(100);
            assertThat(properties.maxBatchSize()).isEqualTo(10);
        });
    }

    @Test
    void bindsProperties() {
        runner.withPropertyValues("herald.publish.max-request-size=64KB", "herald.publish.retry-after=1500ms",
                "herald.publish.timestamp-window=30s", "herald.publish.max-channels-per-event=5",
                "herald.publish.max-batch-size=3").run(context -> {
                    PublishProperties properties = context.getBean(PublishProperties.class);
                    assertThat(properties.maxRequestSize()).isEqualTo(DataSize.ofKilobytes(64));
                    assertThat(properties.retryAfterSeconds()).isEqualTo(2);
                    assertThat(properties.maxChannelsPerEvent()).isEqualTo(5);
                    assertThat(properties.maxBatchSize()).isEqualTo(3);
                });
    }

    @Test
    void reportsEveryInvalidPropertyAtOnce() {
        runner.withPropertyValues("herald.publish.max-batch-size=0", "herald.publish.retry-after=0s").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("herald.publish.max-batch-size must be positive")
                        .hasMessageContaining("herald.publish.retry-after must be positive"));
    }

    @Test
    void everyBeanCanBeReplaced() {
        // The application's own configuration is processed before auto-configurations.
        runner.withUserConfiguration(Replacements.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ChannelInfoProvider.class)).isSameAs(Replacements.INFO);
            assertThat(context.getBean("publishRoutes")).isSameAs(Replacements.ROUTES);
        });
    }

    @Test
    void leavesOtherRouterFunctionsAlone() {
        runner.withUserConfiguration(EdgeLike.class).run(context -> {
            assertThat(context).hasNotFailed().hasBean("publishRoutes").hasBean("edgeRoutes");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Replacements {

        static final ChannelInfoProvider INFO = ChannelInfoProvider.none();
        static final RouterFunction<ServerResponse> ROUTES = RouterFunctions.route()
                .GET("/custom", request -> ServerResponse.ok().build()).build();

        @Bean
        ChannelInfoProvider customInfo() {
            return INFO;
        }

        @Bean
        RouterFunction<ServerResponse> publishRoutes() {
            return ROUTES;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class EdgeLike {

        @Bean
        RouterFunction<ServerResponse> edgeRoutes() {
            return RouterFunctions.route().GET("/app/{key}", request -> ServerResponse.ok().build()).build();
        }
    }
}
