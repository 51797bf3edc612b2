package io.herald.metrics;

import io.herald.core.config.ServiceDefaults;
import io.herald.metrics.config.MetricsConfiguration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * metrics-service on its own, on port {@value #DEFAULT_PORT}: consumes the usage stream of the
 * state Redis ({@code herald.redis.state}) into per-app series. Defaults as the other services
 * (Spring Boot default properties): the metrics role on, no other.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class MetricsServiceApplication {

    /** Next to the publish service (6002) and auth-service (6003). */
    public static final int DEFAULT_PORT = 6005;

    public static Map<String, Object> defaultProperties() {
        Map<String, Object> defaults = new LinkedHashMap<>(ServiceDefaults.of("herald-metrics-service", DEFAULT_PORT));
        defaults.put(MetricsConfiguration.ENABLED, true);
        return Collections.unmodifiableMap(defaults);
    }

    /** A builder with the service's defaults, for {@link #main} and for tests. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(MetricsServiceApplication.class).properties(defaultProperties());
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
