package io.herald.ratelimit;

import io.herald.core.config.ServiceDefaults;
import io.herald.core.ratelimit.RateLimitProperties;
import io.herald.ratelimit.config.RateLimitServiceConfiguration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.util.StringUtils;

/**
 * rate-limit-service on its own, on port {@value #DEFAULT_PORT}: the lease API
 * ({@code /ratelimit/v1/leases/*}) over the state Redis ({@code herald.redis.state}; without it,
 * in memory, one process only), actuator health and Prometheus metrics. Needs
 * {@code herald.ratelimit.internal-token}. Defaults are Spring Boot default properties, as for the
 * other services; they switch on the rate-limit role and no other.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class RateLimitServiceApplication {

    /** Next to auth-service (6003). */
    public static final int DEFAULT_PORT = 6004;

    public static Map<String, Object> defaultProperties() {
        Map<String, Object> defaults = new LinkedHashMap<>(ServiceDefaults.of("herald-rate-limit-service", DEFAULT_PORT));
        defaults.put(RateLimitServiceConfiguration.ENABLED, true);
        return Collections.unmodifiableMap(defaults);
    }

    /** A builder with the service's defaults, for {@link #main} and for tests. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(RateLimitServiceApplication.class).properties(defaultProperties());
    }

    public static void main(String[] args) {
        builder().run(args);
    }

    /** On its own, without a token it would refuse every call: it refuses to start instead. */
    @Bean
    InitializingBean rateLimitServiceRequiresItsToken(ObjectProvider<RateLimitProperties> properties) {
        return () -> properties.ifAvailable(p -> {
            if (!StringUtils.hasText(p.internalToken())) {
                throw new IllegalStateException("rate-limit-service needs herald.ratelimit.internal-token");
            }
        });
    }
}
