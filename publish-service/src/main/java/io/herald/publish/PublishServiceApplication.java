package io.herald.publish;

import io.herald.core.config.ServiceDefaults;
import io.herald.publish.config.PublishConfiguration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The publish service on its own: the Pusher HTTP API on port {@value #DEFAULT_PORT}, with
 * actuator health (liveness and readiness probes) and Prometheus metrics.
 *
 * <p>The service's defaults are {@link #defaultProperties()}, set as Spring Boot default
 * properties (the lowest precedence), not in an {@code application.yml}: this jar is also a
 * library on the standalone server's classpath, where an {@code application.yml} of its own
 * would clash. Any of them can be overridden by the usual means (arguments, environment,
 * {@code application.yml} next to the jar). They switch on the publish role
 * ({@link PublishConfiguration}) and with it the webhook dispatcher role (unless
 * {@code herald.webhooks.dispatcher.enabled=false}); no other role runs, whatever else is on the
 * classpath.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class PublishServiceApplication {

    /** The standalone server owns 6001; the publish service on its own listens next to it. */
    public static final int DEFAULT_PORT = 6002;

    /** The defaults of the service on its own. */
    public static Map<String, Object> defaultProperties() {
        Map<String, Object> defaults = new LinkedHashMap<>(ServiceDefaults.of("herald-publish-service", DEFAULT_PORT));
        defaults.put(PublishConfiguration.ENABLED, true);
        return Collections.unmodifiableMap(defaults);
    }

    /** A builder with the service's defaults, for {@link #main} and for tests. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(PublishServiceApplication.class).properties(defaultProperties());
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
