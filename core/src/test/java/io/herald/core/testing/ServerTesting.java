package io.herald.core.testing;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/** Helpers for tests that run several Herald servers in one JVM. */
public final class ServerTesting {

    private ServerTesting() {
    }

    /**
     * An initializer that gives a server its own Netty event loops. By default every Boot server
     * in a JVM shares Reactor Netty's global loops, and the first context to close disposes
     * them, which would kill the other servers of the test. Use with
     * {@code SpringApplicationBuilder.initializers(ServerTesting::ownEventLoops)}.
     */
    public static void ownEventLoops(ConfigurableApplicationContext context) {
        ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            return factory;
        });
    }

    /** The port a started server listens on. */
    public static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
