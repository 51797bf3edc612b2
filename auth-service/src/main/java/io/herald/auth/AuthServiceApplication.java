package io.herald.auth;

import io.herald.auth.config.AuthServiceConfiguration;
import io.herald.auth.config.AuthServiceProperties;
import io.herald.core.auth.AuthProperties;
import io.herald.core.config.ServiceDefaults;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;

/**
 * auth-service on its own, on port {@value #DEFAULT_PORT}: the app registry's admin API
 * ({@code /admin/apps}), the internal API edges use ({@code /internal/v1}), actuator health and
 * Prometheus metrics. Needs {@code herald.auth.admin-token} and {@code herald.auth.internal-token}
 * (it refuses to start without them: it would have nothing to serve); with
 * {@code herald.redis.state} the apps live in Redis, else in memory (one process only).
 *
 * <p>Defaults are {@link #defaultProperties()} (Spring Boot default properties, the lowest
 * precedence), as for the other services, so the jar stays usable as a library. They switch on
 * the auth role ({@link AuthServiceConfiguration}) and no other, whatever else is on the classpath.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class AuthServiceApplication {

    /** Next to the standalone server (6001) and the publish service (6002). */
    public static final int DEFAULT_PORT = 6003;

    public static Map<String, Object> defaultProperties() {
        Map<String, Object> defaults = new LinkedHashMap<>(ServiceDefaults.of("herald-auth-service", DEFAULT_PORT));
        defaults.put(AuthServiceConfiguration.ENABLED, true);
        return Collections.unmodifiableMap(defaults);
    }

    /** A builder with the service's defaults, for {@link #main} and for tests. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(AuthServiceApplication.class).properties(defaultProperties());
    }

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * On its own, auth-service without a token would start and refuse everything: it refuses to
     * start instead, naming the missing properties. (In a process with other roles, such as the
     * standalone server, the admin API is simply off without its token.)
     */
    @Bean
    InitializingBean authServiceRequiresBothTokens(ObjectProvider<AuthServiceProperties> service,
            ObjectProvider<AuthProperties> auth) {
        // Absent only when the role was switched off by hand: then there is nothing to require.
        return () -> service.ifAvailable(s -> s.requireTokens(auth.getObject().internalToken()));
    }
}
