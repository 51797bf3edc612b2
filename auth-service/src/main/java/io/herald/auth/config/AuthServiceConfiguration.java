package io.herald.auth.config;

import io.herald.core.web.ApiErrorResponses;
import io.herald.auth.Secrets;
import io.herald.auth.security.AuthSecurity;
import io.herald.auth.web.AdminHandler;
import io.herald.auth.web.AuthRoutes;
import io.herald.auth.web.InternalHandler;
import io.herald.auth.web.TenantAdminHandler;
import io.herald.core.config.TenantCoreConfiguration;
import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import io.herald.core.app.AppsProperties;
import io.herald.core.app.InMemoryAppRegistry;
import io.herald.core.auth.AuthProperties;
import io.herald.core.auth.LocalAuthVerifier;
import io.herald.core.config.BeforeServerStops;
import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.config.ImpossibleConfigurationException;
import io.herald.core.webhook.WebhookFailureLog;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration;
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
 * The auth role (auth-service): the admin API ({@code /admin/**}), the internal API edges use
 * ({@code /internal/**}), and the Spring Security chain that guards those two paths and no other
 * ({@link AuthSecurity}), so it can share a server with the other roles. A Spring Boot
 * auto-configuration, on only with {@value #ENABLED}{@code =true} ({@code AuthServiceApplication}
 * and the standalone server set it); off, {@link AuthServiceOffConfiguration} keeps Spring Security
 * (on the classpath with this jar) from securing anything. No component scanning; every bean
 * replaceable (see {@code PublishConfiguration} for how).
 *
 * <p>Ordered before Spring Boot's security auto-configurations: its authentication manager and
 * filter chain must be registered when they look, or Boot would add a generated-password user and
 * a chain of its own that secures every route.
 *
 * <p>The registry: with {@code herald.redis.state} the core's {@code RedisAppStore} (seeded from
 * {@code herald.apps}); without it an {@link InMemoryAppRegistry} seeded from {@code herald.apps}
 * (one process only: writes are lost at restart). Either way the {@code AppStore} bean is that
 * registry behind a {@code CachingAppStore} (see {@code AppConfiguration}), and every role of the
 * process reads that one: in the standalone server, apps created through the admin API can connect
 * and publish at once.
 *
 * <p>Tenants ({@code /admin/tenants/**}, {@link TenantAdminHandler}): the {@link TenantStore} of
 * {@link TenantCoreConfiguration}, on the state Redis when it is set, which metrics-service reads
 * to sign tenant users in.
 *
 * <p>Tokens: {@code herald.auth.admin-token} unset turns the admin API off (403 for every request,
 * see {@link AuthSecurity}); {@code herald.auth.internal-token} unset leaves {@code /internal/**} to
 * the admin token. auth-service on its own requires both ({@code AuthServiceApplication}). Refuses
 * {@code herald.auth.url} (auth-service does not call itself).
 */
@AutoConfiguration(before = { ReactiveUserDetailsServiceAutoConfiguration.class,
        ReactiveManagementWebSecurityAutoConfiguration.class, ReactiveWebSecurityAutoConfiguration.class })
@ConditionalOnBooleanProperty(AuthServiceConfiguration.ENABLED)
@EnableWebFluxSecurity
@EnableConfigurationProperties(AuthServiceProperties.class)
// The in-memory registry first, so that it is declared before AppConfiguration's conditions run.
@Import({ AuthServiceConfiguration.InMemoryRegistryConfiguration.class, HeraldCoreConfiguration.class,
        TenantCoreConfiguration.class })
public class AuthServiceConfiguration {

    /** The role's switch. */
    public static final String ENABLED = "herald.auth.enabled";

    private static final Logger log = LoggerFactory.getLogger(AuthServiceConfiguration.class);

    /** The registry when there is no state Redis. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnExpression("'${herald.redis.state:}' == ''")
    public static class InMemoryRegistryConfiguration {

        @Bean
        @ConditionalOnMissingBean(AppRegistry.class)
        public InMemoryAppRegistry inMemoryAppRegistry(AppsProperties apps, AuthServiceProperties service) {
            // A warning only where something can be lost: apps created or changed through the admin API.
            if (service.adminApiEnabled()) {
                log.warn("No herald.redis.state configured: apps are kept in memory (one process only; "
                        + "admin API changes are lost at restart)");
            }
            else {
                log.info("No herald.redis.state configured: apps of herald.apps, kept in memory (one process only)");
            }
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
            throw new ImpossibleConfigurationException("herald.auth.url is set where the auth role runs "
                    + "(herald.auth.enabled=true: this process is auth-service, which does not call itself).",
                    "To run auth-service here, remove herald.auth.url; to use a remote auth-service, set "
                    + "herald.auth.enabled=false.");
        }
        String internalToken = auth.internalToken() == null || auth.internalToken().isBlank() ? null
                : auth.internalToken();
        if (internalToken != null && internalToken.length() < AuthServiceProperties.MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("Invalid auth-service configuration: herald.auth.internal-token must be "
                    + "at least " + AuthServiceProperties.MIN_TOKEN_LENGTH + " characters");
        }
        if (internalToken != null && internalToken.equals(service.adminToken())) {
            throw new IllegalArgumentException("Invalid auth-service configuration: herald.auth.internal-token and "
                    + "herald.auth.admin-token must differ");
        }
        if (!service.adminApiEnabled()) {
            log.info("No herald.auth.admin-token configured: the admin API is off (every /admin request is refused "
                    + "with 403)");
        }
        return new AuthSecurity(service.adminToken(), internalToken, apps, clock);
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
            AuthServiceProperties properties, ObjectProvider<WebhookFailureLog> failures, TenantStore tenants) {
        return new AdminHandler(registry, secrets, clock, properties.rotationGrace(), properties.maxRotationGrace(),
                failures.getIfAvailable(), tenants);
    }

    /** The tenants of the admin API ({@code /admin/tenants/**}). */
    @Bean
    @ConditionalOnMissingBean
    public TenantAdminHandler tenantAdminHandler(TenantStore tenants, TenantPasswords passwords, AppStore apps,
            Secrets secrets) {
        return new TenantAdminHandler(tenants, passwords, apps, secrets);
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
    public RouterFunction<ServerResponse> authRoutes(AdminHandler admin, TenantAdminHandler tenants,
            InternalHandler internal, ApiErrorResponses authErrorFilter) {
        return AuthRoutes.routes(admin, tenants, internal, authErrorFilter);
    }
}
