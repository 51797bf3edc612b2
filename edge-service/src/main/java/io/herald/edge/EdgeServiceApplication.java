package io.herald.edge;

import io.herald.core.config.ServiceDefaults;
import io.herald.edge.config.EdgeConfiguration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The edge service on its own: {@code java -jar herald-edge-service-*-exec.jar}. It runs the edge
 * role ({@link EdgeConfiguration}, an auto-configuration) and no other, whatever else is on the
 * classpath: its defaults switch on {@code herald.edge.enabled} only.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class EdgeServiceApplication {

    /** Defaults of the service on its own; any of them can be overridden by properties or env. */
    public static final Map<String, Object> DEFAULTS = defaults();

    private static Map<String, Object> defaults() {
        Map<String, Object> defaults = new LinkedHashMap<>(ServiceDefaults.of("herald-edge", 6001));
        defaults.put(EdgeConfiguration.ENABLED, true);
        return Collections.unmodifiableMap(defaults);
    }

    public static void main(String[] args) {
        new SpringApplicationBuilder(EdgeServiceApplication.class).properties(DEFAULTS).run(args);
    }
}
