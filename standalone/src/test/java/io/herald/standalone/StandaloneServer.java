package io.herald.standalone;

import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The standalone server as shipped (its application.yml, in-memory adapters) on a random port. */
final class StandaloneServer implements AutoCloseable {

    final ConfigurableApplicationContext context;
    final int port;

    StandaloneServer(Map<String, Object> overrides) {
        // Arguments, because default properties would lose to the standalone's application.yml.
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--server.port=0"));
        overrides.forEach((k, v) -> args.add("--" + k + "=" + v));
        context = new SpringApplicationBuilder(HeraldStandaloneApplication.class).run(args.toArray(String[]::new));
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    String http(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    com.pusher.rest.Pusher publisher() {
        com.pusher.rest.Pusher pusher = new com.pusher.rest.Pusher("demo-app", "demo-key", "demo-secret");
        pusher.setHost("127.0.0.1:" + port);
        pusher.setEncrypted(false);
        return pusher;
    }

    @Override
    public void close() {
        context.close();
    }
}
