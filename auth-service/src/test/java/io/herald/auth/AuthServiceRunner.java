package io.herald.auth;

import io.herald.core.testing.ServerTesting;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Starts auth-service on a random port with the test's tokens and clock. */
final class AuthServiceRunner {

    static final String ADMIN_TOKEN = "admin-token-7c1e9a55d0b34f0e";
    static final String INTERNAL_TOKEN = "internal-token-2f8d6b1a9e4c";

    private AuthServiceRunner() {
    }

    static ConfigurableApplicationContext start(Clock clock, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--herald.auth.admin-token=" + ADMIN_TOKEN,
                "--herald.auth.internal-token=" + INTERNAL_TOKEN));
        args.addAll(List.of(extra));
        return AuthServiceApplication.builder()
                .initializers(ServerTesting::ownEventLoops)
                .initializers(context -> ((GenericApplicationContext) context).registerBean("testClock", Clock.class,
                        () -> clock))
                .run(args.toArray(String[]::new));
    }

    static String baseUrl(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + ServerTesting.port(context);
    }

    static WebTestClient client(ConfigurableApplicationContext context) {
        return WebTestClient.bindToServer().baseUrl(baseUrl(context)).build();
    }
}
