package io.herald.gateway;

import io.herald.core.config.ServiceDefaults;
import io.herald.gateway.config.GatewayConfiguration;
import io.herald.gateway.config.GatewayRoutes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The gateway on its own, on port {@value #DEFAULT_PORT}: the one entry point in front of the
 * edges, publish nodes, auth-service and metrics-service (routes in docs/gateway.md), with actuator
 * health and Prometheus metrics. The services' instances come from {@code herald.gateway.edges},
 * {@code herald.gateway.publishers}, {@code herald.gateway.auth} and {@code herald.gateway.metrics}.
 *
 * <p>Defaults are {@link #defaultProperties()} (Spring Boot default properties, the lowest
 * precedence), as for the other services: the gateway role on; Spring Cloud LoadBalancer's health
 * checks on, so an instance that is down leaves the rotation; forwarded headers appended for every
 * peer (see docs/gateway.md to restrict them to known proxies).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class GatewayApplication {

    /** Below the standalone server (6001), the publish service (6002) and auth-service (6003). */
    public static final int DEFAULT_PORT = 6000;

    public static Map<String, Object> defaultProperties() {
        Map<String, Object> defaults = new LinkedHashMap<>(ServiceDefaults.of("herald-gateway", DEFAULT_PORT));
        defaults.put(GatewayConfiguration.ENABLED, true);
        // An instance whose /actuator/health does not answer 200 leaves the rotation until it does.
        defaults.put("spring.cloud.loadbalancer.configurations", "health-check");
        defaults.put("spring.cloud.loadbalancer.health-check.path.default", "/actuator/health");
        defaults.put("spring.cloud.loadbalancer.health-check.interval", "5s");
        // Each service's load-balancer context is built at start-up, not by the first request on a
        // Netty event loop (building it reads class files: blocking, and slow for that request).
        defaults.put("spring.cloud.loadbalancer.eager-load.clients", String.join(",", GatewayRoutes.serviceIds()));
        // Spring Cloud Gateway adds X-Forwarded-* / Forwarded only for a peer that matches this
        // expression (and strips them otherwise). Every peer: the client address is always appended
        // last, like nginx's $proxy_add_x_forwarded_for. Narrow it to the load balancer's addresses
        // to drop entries a client forged.
        defaults.put("spring.cloud.gateway.server.webflux.trusted-proxies", ".*");
        return Collections.unmodifiableMap(defaults);
    }

    /** A builder with the gateway's defaults, for {@link #main} and for tests. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(GatewayApplication.class).properties(defaultProperties());
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
