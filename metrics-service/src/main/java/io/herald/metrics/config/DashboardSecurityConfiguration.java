package io.herald.metrics.config;

import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import org.springframework.beans.factory.ObjectProvider;
import io.herald.core.config.TenantCoreConfiguration;
import io.herald.core.redis.RedisConnections;
import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
import io.herald.metrics.security.AppAccess;
import io.herald.metrics.security.DashboardSecurity;
import io.herald.metrics.security.InMemoryLoginThrottle;
import io.herald.metrics.security.InMemorySignInSessions;
import io.herald.metrics.security.LoginThrottle;
import io.herald.metrics.security.SignInPage;
import io.herald.metrics.security.SignInSessions;
import io.herald.metrics.security.TenantAccess;
import io.herald.metrics.security.redis.RedisLoginThrottle;
import io.herald.metrics.security.redis.RedisSignInSessions;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Sign-in for the metrics role ({@link DashboardSecurity}): tenants ({@link TenantCoreConfiguration}),
 * sessions and the login throttle — on the state Redis when {@code herald.redis.state} is set
 * (shared by every replica), else in memory — the sign-in page, and {@link TenantAccess} as the
 * {@link AppAccess} every handler asks. Every bean can be replaced.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
@EnableConfigurationProperties(DashboardProperties.class)
@Import(TenantCoreConfiguration.class)
public class DashboardSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DashboardSecurityConfiguration.class);

    /** Closed by Spring's inferred destroy method when it has one (the Redis adapter). */
    @Bean
    @ConditionalOnMissingBean
    public SignInSessions signInSessions(RedisConnections redis, Clock clock, DashboardProperties properties) {
        if (redis.properties().state() != null) {
            log.info("Dashboard sessions: on the state Redis ({}session:*), shared by every replica",
                    redis.keyPrefix());
            return new RedisSignInSessions(redis, properties.sessionTimeout());
        }
        log.info("Dashboard sessions: in memory (no herald.redis.state; one replica only)");
        return new InMemorySignInSessions(clock, properties.sessionTimeout(), properties.maxSessions());
    }

    @Bean
    @ConditionalOnMissingBean
    public LoginThrottle loginThrottle(RedisConnections redis, Clock clock, DashboardProperties properties) {
        if (redis.properties().state() != null) {
            return new RedisLoginThrottle(redis, properties.maxFailuresPerUser(), properties.maxFailuresPerAddress(),
                    properties.failureWindow());
        }
        return new InMemoryLoginThrottle(clock, properties.maxFailuresPerUser(), properties.maxFailuresPerAddress(),
                properties.failureWindow(), properties.maxSessions());
    }

    @Bean
    @ConditionalOnMissingBean
    public DashboardSecurity dashboardSecurity(Environment environment, TenantStore tenants, TenantPasswords passwords,
            SignInSessions sessions, LoginThrottle throttle, DashboardProperties properties) {
        return new DashboardSecurity(environment.getProperty("herald.auth.admin-token"), tenants, passwords, sessions,
                throttle, properties.trustedProxiesPattern());
    }

    @Bean
    @ConditionalOnMissingBean(name = "dashboardSecurityFilterChain")
    public SecurityWebFilterChain dashboardSecurityFilterChain(ServerHttpSecurity http, DashboardSecurity security) {
        return security.filterChain(http);
    }

    /**
     * Present so Spring Boot adds no generated-password user of its own; the chains authenticate
     * with their own managers. Backs off for auth-service's in the standalone server.
     */
    @Bean
    @ConditionalOnMissingBean(ReactiveAuthenticationManager.class)
    public ReactiveAuthenticationManager metricsAcceptsNoDefaultCredentials() {
        return authentication -> Mono.error(new BadCredentialsException("No default authentication here"));
    }

    /** Tenant users their own apps, the operator every app. */
    @Bean
    @ConditionalOnMissingBean
    public AppAccess appAccess(TenantStore tenants, AppStore apps, ObjectProvider<AppRegistry> registry) {
        AppRegistry found = registry.getIfAvailable();
        return new TenantAccess(tenants, apps, TenantAccess.everyAppOf(found != null ? found : apps));
    }

    @Bean
    @ConditionalOnMissingBean(name = "signInRoutes")
    public RouterFunction<ServerResponse> signInRoutes() {
        return RouterFunctions.route().GET(SignInPage.PATH, SignInPage::get).build();
    }
}
