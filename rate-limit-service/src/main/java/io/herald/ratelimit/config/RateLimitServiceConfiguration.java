package io.herald.ratelimit.config;

import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.config.ImpossibleConfigurationException;
import io.herald.core.config.RateLimitCoreConfiguration;
import io.herald.core.ratelimit.RateLimitProperties;
import io.herald.core.ratelimit.RateLimiter;
import io.herald.core.ratelimit.http.HttpRateLimiter;
import io.herald.core.web.ApiErrorResponses;
import io.herald.ratelimit.web.LeaseHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The rate-limit role (rate-limit-service): the lease API over the process's shared
 * {@link RateLimiter} — the state Redis's {@code RedisGcraRateLimiter} when
 * {@code herald.redis.state} is set, else in memory (the standalone server runs the role
 * in-process that way; its own publish and edge roles use the limiter directly, without the
 * network hop). On only with {@value #ENABLED}{@code =true}. Without
 * {@code herald.ratelimit.internal-token} the API is not served (every caller would be refused);
 * the service on its own refuses to start without it.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(RateLimitServiceConfiguration.ENABLED)
@Import({ HeraldCoreConfiguration.class, RateLimitCoreConfiguration.class })
public class RateLimitServiceConfiguration {

    /** The role's switch. */
    public static final String ENABLED = "herald.ratelimit.enabled";

    private static final Logger log = LoggerFactory.getLogger(RateLimitServiceConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    public LeaseHandler leaseHandler(RateLimiter limiter, RateLimitProperties properties) {
        if (properties.url() != null) {
            throw new ImpossibleConfigurationException("herald.ratelimit.url is set in rate-limit-service itself",
                    "Remove herald.ratelimit.url here: the service decides with the state Redis, it does not call itself");
        }
        return new LeaseHandler(limiter, StringUtils.hasText(properties.internalToken())
                ? properties.internalToken() : java.util.UUID.randomUUID().toString());
    }

    @Bean
    public RouterFunction<ServerResponse> leaseRoutes(LeaseHandler handler, RateLimitProperties properties) {
        if (!StringUtils.hasText(properties.internalToken())) {
            log.info("herald.ratelimit.internal-token is not set: the lease API answers 401 to everyone");
        }
        ApiErrorResponses responses = new ApiErrorResponses(log, status -> { });
        return RouterFunctions.route()
                .POST(HttpRateLimiter.ACQUIRE, handler::acquire)
                .POST(HttpRateLimiter.RELEASE, handler::release)
                .filter(responses::filter)
                .build();
    }
}
