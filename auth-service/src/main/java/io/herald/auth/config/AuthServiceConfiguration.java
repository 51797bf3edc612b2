package io.herald.auth.config;

import io.herald.core.web.ApiErrorResponses;
import org.slf4j.LoggerFactory;
import io.herald.auth.Secrets;
import io.herald.auth.security.AuthSecurity;
import io.herald.auth.web.AdminHandler;
import io.herald.auth.web.AuthRoutes;
import io.herald.auth.web.InternalHandler;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import io.herald.core.app.AppsProperties;
import io.herald.core.app.InMemoryAppRegistry;
import io.herald.core.auth.AuthProperties;
import io.herald.core.auth.LocalAuthVerifier;
import io.herald.core.config.BeforeServerStops;
import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.webhook.WebhookFailureLog;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * auth-service as importable Spring configuration (no component scanning; every bean replaceable,
 * see {@code PublishConfiguration} for how): the admin API, the internal API, and the Spring
 * Security chain that guards both ({@link AuthSecurity}).
 *
 * <p>The registry: with {@code herald.redis.state} the core's {@code RedisAppStore} (seeded from
 * {@code herald.apps}); without it an {@link InMemoryAppRegistry} seeded from {@code herald.apps}
 * (one process only: writes are lost at restart). Either way the {@code AppStore} bean is that
 * registry behind a {@code CachingAppStore} (see {@code AppConfiguration}).
 *
 * <p>Requires {@code herald.auth.admin-token} and {@code herald.auth.internal-token}; refuses
 * {@code herald.auth.url} (auth-service does not call itself).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
@EnableConfigurationProperties(AuthServiceProperties.class)
// Order matters: the in-memory registry must be registered before AppConfiguration's conditions run.
@Import({ AuthServiceConfiguration.InMemoryRegistryConfiguration.class, HeraldCoreConfiguration.class })
public class AuthServiceConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthServiceConfiguration.class);

    /** The registry when there is no state Redis. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnExpression("'${herald.redis.state:}' == ''")
    public static class InMemoryRegistryConfiguration {

        @Bean
        @ConditionalOnMissingBean(AppRegistry.class)
        public InMemoryAppRegistry inMemoryAppRegistry(AppsProperties apps) {
            log.warn("No herald.redis.state configured: apps are kept in memory (one process only; "
                    + "admin API changes are lost at restart)");
            return new InMemoryAppRegistry(apps.toApps());
        }
    }

    @Bean
    @ConditionalOnMissingBean
    public Secrets authSecrets() {
        return new Secrets();
    }

    @Bean
    @ConditionalOnMissingBean
    public AuthSecurity authSecurity(AuthServiceProperties service, AuthProperties auth, AppStore apps, Clock clock) {
        if (auth.url() != null) {
            throw new IllegalArgumentException("Invalid auth-service configuration: herald.auth.url must not be set "
                    + "on auth-service itself");
        }
        if (auth.internalToken() == null || auth.internalToken().length() < AuthServiceProperties.MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("Invalid auth-service configuration: herald.auth.internal-token must be "
                    + "set, at least " + AuthServiceProperties.MIN_TOKEN_LENGTH + " characters");
        }
        if (auth.internalToken().equals(service.adminToken())) {
            throw new IllegalArgumentException("Invalid auth-service configuration: herald.auth.internal-token and "
                    + "herald.auth.admin-token must differ");
        }
        return new AuthSecurity(service.adminToken(), auth.internalToken(), apps, clock);
    }

    /** Declared as a bean so Spring Boot does not add its generated-password user store. */
    @Bean
    @ConditionalOnMissingBean
    public ReactiveAuthenticationManager heraldAuthenticationManager(AuthSecurity security) {
        return security.authenticationManager();
    }

    @Bean
    @ConditionalOnMissingBean(name = "authSecurityFilterChain")
    public SecurityWebFilterChain authSecurityFilterChain(ServerHttpSecurity http, AuthSecurity security) {
        return security.filterChain(http);
    }

    @Bean
    @ConditionalOnMissingBean
    public AdminHandler adminHandler(AppRegistry registry, Secrets secrets, Clock clock,
            AuthServiceProperties properties, ObjectProvider<WebhookFailureLog> failures) {
        return new AdminHandler(registry, secrets, clock, properties.rotationGrace(), properties.maxRotationGrace(),
                failures.getIfAvailable());
    }

    /** Verifies with the registry's secrets, whatever {@code AuthVerifier} bean exists. */
    @Bean
    @ConditionalOnMissingBean
    public InternalHandler internalHandler(AppStore apps, AppRegistry registry, Clock clock) {
        return new InternalHandler(new LocalAuthVerifier(apps, clock), apps, registry);
    }

    /**
     * Ends the app change streams when the service stops. Its phase is the default one, so it stops
     * before the web server's graceful shutdown (a lower phase) starts waiting for open requests.
     */
    @Bean
    public SmartLifecycle changeStreamsEnder(InternalHandler internal) {
        return new BeforeServerStops(internal::endChangeStreams);
    }

    @Bean
    @ConditionalOnMissingBean
    public ApiErrorResponses authErrorFilter() {
        return new ApiErrorResponses(LoggerFactory.getLogger(AuthRoutes.class), status -> { });
    }

    @Bean
    @ConditionalOnMissingBean(name = "authRoutes")
    public RouterFunction<ServerResponse> authRoutes(AdminHandler admin, InternalHandler internal,
            ApiErrorResponses authErrorFilter) {
        return AuthRoutes.routes(admin, internal, authErrorFilter);
    }
}
