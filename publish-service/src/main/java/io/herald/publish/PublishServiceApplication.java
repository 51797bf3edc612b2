package io.herald.publish;

import io.herald.core.config.ServiceDefaults;
import io.herald.publish.config.PublishConfiguration;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/**
 * The publish service on its own: the Pusher HTTP API on port {@value #DEFAULT_PORT}, with
 * actuator health (liveness and readiness probes) and Prometheus metrics.
 *
 * <p>The service's defaults are {@link #defaultProperties()}, set as Spring Boot default
 * properties (the lowest precedence), not in an {@code application.yml}: this jar is also a
 * library on the standalone server's classpath, where an {@code application.yml} of its own
 * would clash. Any of them can be overridden by the usual means (arguments, environment,
 * {@code application.yml} next to the jar).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(PublishConfiguration.class)
public class PublishServiceApplication {

    /** The standalone server owns 6001; the publish service on its own listens next to it. */
    public static final int DEFAULT_PORT = 6002;

    /** The defaults of the service on its own. */
    public static Map<String, Object> defaultProperties() {
        return ServiceDefaults.of("herald-publish-service", DEFAULT_PORT);
    }

    /** A builder with the service's defaults, for {@link #main} and for tests. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(PublishServiceApplication.class).properties(defaultProperties());
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
