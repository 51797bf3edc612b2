package io.herald.edge;

import io.herald.core.config.ServiceDefaults;
import io.herald.edge.config.EdgeConfiguration;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/** The edge service on its own: {@code java -jar herald-edge-service-*-exec.jar}. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(EdgeConfiguration.class)
public class EdgeServiceApplication {

    /** Defaults of the service on its own; any of them can be overridden by properties or env. */
    public static final Map<String, Object> DEFAULTS = ServiceDefaults.of("herald-edge", 6001);

    public static void main(String[] args) {
        new SpringApplicationBuilder(EdgeServiceApplication.class).properties(DEFAULTS).run(args);
    }
}
