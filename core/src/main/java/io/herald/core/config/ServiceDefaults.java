package io.herald.core.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The defaults every Herald service has when it runs on its own: name, port, and the actuator
 * endpoints (health with probes, info, Prometheus). Services set them as Spring Boot default
 * properties (the lowest precedence), not in an {@code application.yml}: their jars are also
 * libraries on the standalone server's classpath, where an {@code application.yml} of their own
 * would clash. Anything here can be overridden by the usual means.
 */
public final class ServiceDefaults {

    private ServiceDefaults() {
    }

    /** The defaults of a service named {@code applicationName} listening on {@code port} (unmodifiable). */
    public static Map<String, Object> of(String applicationName, int port) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("spring.application.name", applicationName);
        defaults.put("server.port", port);
        defaults.put("management.endpoints.web.exposure.include", "health,info,prometheus");
        defaults.put("management.endpoint.health.probes.enabled", true);
        defaults.put("management.endpoint.health.show-details", "never");
        return java.util.Collections.unmodifiableMap(defaults);
    }
}
