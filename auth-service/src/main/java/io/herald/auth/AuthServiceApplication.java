package io.herald.auth;

import io.herald.core.config.ServiceDefaults;
import io.herald.auth.config.AuthServiceConfiguration;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/**
 * auth-service on its own, on port {@value #DEFAULT_PORT}: the app registry's admin API
 * ({@code /admin/apps}), the internal API edges use ({@code /internal/v1}), actuator health and
 * Prometheus metrics. Needs {@code herald.auth.admin-token} and {@code herald.auth.internal-token};
 * with {@code herald.redis.state} the apps live in Redis, else in memory (one process only).
 *
 * <p>Defaults are {@link #defaultProperties()} (Spring Boot default properties, the lowest
 * precedence), as for the other services, so the jar stays usable as a library.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(AuthServiceConfiguration.class)
public class AuthServiceApplication {

    /** Next to the standalone server (6001) and the publish service (6002). */
    public static final int DEFAULT_PORT = 6003;

    public static Map<String, Object> defaultProperties() {
        return ServiceDefaults.of("herald-auth-service", DEFAULT_PORT);
    }

    /** A builder with the service's defaults, for {@link #main} and for tests. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(AuthServiceApplication.class).properties(defaultProperties());
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
