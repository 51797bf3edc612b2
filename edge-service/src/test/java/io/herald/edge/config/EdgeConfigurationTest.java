package io.herald.edge.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.broker.Broker;
import io.herald.edge.ConnectionRegistry;
import io.herald.edge.EdgeNode;
import io.herald.edge.EdgeServiceApplication;
import io.herald.edge.LocalFanout;
import io.herald.edge.web.PusherWebSocketRoute;
import org.junit.jupiter.api.Test;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.WebFilter;

/** The edge role's switch ({@code herald.edge.enabled}); starts no server. */
class EdgeConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EdgeConfiguration.class));

    @Test
    void offWithoutItsSwitchItDeclaresNothingNotEvenARoute() {
        for (String value : new String[] { null, "false" }) {
            ApplicationContextRunner off = value == null ? runner
                    : runner.withPropertyValues(EdgeConfiguration.ENABLED + "=" + value);
            off.run(context -> assertThat(context).hasNotFailed()
                    .doesNotHaveBean(HandlerMapping.class).doesNotHaveBean(WebFilter.class)
                    .doesNotHaveBean(PusherWebSocketRoute.class).doesNotHaveBean(ConnectionRegistry.class)
                    .doesNotHaveBean(EdgeNode.class).doesNotHaveBean(Broker.class));
        }
    }

    @Test
    void onItDeclaresTheWebSocketEndpointOverTheCore() {
        runner.withPropertyValues(EdgeConfiguration.ENABLED + "=true").run(context -> {
            // The endpoint is a Reactor Netty route below Spring's dispatcher: no handler mapping, no filter.
            assertThat(context).hasNotFailed().hasSingleBean(NettyRouteProvider.class)
                    .getBean(NettyRouteProvider.class).isInstanceOf(PusherWebSocketRoute.class);
            assertThat(context).doesNotHaveBean(HandlerMapping.class).doesNotHaveBean(WebFilter.class).hasSingleBean(LocalFanout.class)
                    .hasSingleBean(EdgeNode.class).hasSingleBean(Broker.class);
        });
    }

    @Test
    void theServiceApplicationSwitchesItOn() {
        assertThat(EdgeServiceApplication.DEFAULTS).containsEntry(EdgeConfiguration.ENABLED, true);
    }
}
