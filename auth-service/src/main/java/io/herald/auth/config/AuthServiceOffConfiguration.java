package io.herald.auth.config;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A process with auth-service's jar on its classpath but the auth role off (the standalone server
 * with {@code herald.auth.enabled=false}, or any application that depends on the jar): auth-service
 * brings Spring Security, whose Spring Boot auto-configuration would otherwise secure every route
 * of the process (the WebSocket endpoint, the HTTP API, the demo page, actuator) with HTTP Basic
 * and log a generated password. Herald secures its routes itself (signatures, and the auth role's
 * own chain when it is on), so here Spring Security is told to secure nothing: one filter chain
 * that matches no request, and an authentication manager that accepts no credentials (its
 * presence is what keeps Boot from generating a user).
 *
 * <p>Both beans back off when the application declares its own.
 */
@AutoConfiguration(before = { ReactiveUserDetailsServiceAutoConfiguration.class,
        ReactiveManagementWebSecurityAutoConfiguration.class, ReactiveWebSecurityAutoConfiguration.class })
@ConditionalOnBooleanProperty(name = AuthServiceConfiguration.ENABLED, havingValue = false, matchIfMissing = true)
@ConditionalOnClass(SecurityWebFilterChain.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class AuthServiceOffConfiguration {

    @Bean
    @ConditionalOnMissingBean(SecurityWebFilterChain.class)
    public SecurityWebFilterChain heraldSecuresNothing() {
        return new SecurityWebFilterChain() {
            @Override
            public Mono<Boolean> matches(ServerWebExchange exchange) {
                return Mono.just(false);
            }

            @Override
            public Flux<WebFilter> getWebFilters() {
                return Flux.empty();
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean(ReactiveAuthenticationManager.class)
    public ReactiveAuthenticationManager heraldAcceptsNoCredentials() {
        return authentication -> Mono.error(new BadCredentialsException("The auth role is off in this process"));
    }
}
