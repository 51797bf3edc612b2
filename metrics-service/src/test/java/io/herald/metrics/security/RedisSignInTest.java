package io.herald.metrics.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.testing.RedisServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@link SignInTest} with tenants, sessions and the login throttle on a real state Redis, and what
 * only it can do: several metrics-service replicas serving one signed-in user.
 */
class RedisSignInTest extends SignInTest {

    static RedisServer redis;

    final String prefix = RedisServer.uniquePrefix();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    List<String> variant() {
        return List.of("--herald.redis.state=" + redis.uri(), "--herald.redis.key-prefix=" + prefix);
    }

    @Test
    void aSessionMadeOnOneReplicaWorksOnAnotherAndSoDoesTheThrottle() {
        ConfigurableApplicationContext second = start();
        browser.signIn("alice", ALICE_PASSWORD);
        Browser elsewhere = browser.withCookiesOn(port(second));
        assertThat(elsewhere.get("/usage/apps/app-a").getStatus().value()).isEqualTo(200);
        assertThat(elsewhere.get("/usage/apps/app-b").getStatus().value()).isEqualTo(404);

        // Failures on one replica count on the other.
        Browser guesser = new Browser(port(context));
        Browser guesserElsewhere = new Browser(port(second));
        guesser.signIn("bob", "wrong-1");
        guesserElsewhere.signIn("bob", "wrong-2");
        guesser.signIn("bob", "wrong-3");
        assertThat(guesserElsewhere.signIn("bob", BOB_PASSWORD).getStatus().value()).isEqualTo(429);

        // Signing out on one ends the session on both.
        elsewhere.post("/dashboard/logout", java.util.Map.of(), CsrfCookies.HEADER,
                elsewhere.cookies.get(CsrfCookies.COOKIE));
        assertThat(browser.get("/usage/apps/app-a").getStatus().value()).isEqualTo(401);
    }
}
