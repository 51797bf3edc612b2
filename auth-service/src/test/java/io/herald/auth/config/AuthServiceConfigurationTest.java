package io.herald.auth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.auth.AuthServiceApplication;
import io.herald.auth.security.AuthSecurity;
import io.herald.auth.web.AdminHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.herald.core.config.ImpossibleConfigurationException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableReactiveWebApplicationContext;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.reactive.function.server.RouterFunction;

/**
 * The auth role's switch ({@code herald.auth.enabled}) next to Spring Boot's own security
 * auto-configuration, as in any process with auth-service's jar: on, Spring Security guards
 * {@code /admin/**} and {@code /internal/**} only; off, it guards nothing. Either way no
 * generated user (and no generated password in the log). Starts no server.
 */
class AuthServiceConfigurationTest {

    static final String ADMIN_TOKEN = "admin-token-for-wiring-0123";
    static final String INTERNAL_TOKEN = "internal-token-for-wiring-0123";

    /** Paths of the other roles and of actuator, which Spring Security must never claim. */
    static final List<String> OTHER_ROUTES = List.of("/", "/index.html", "/app/demo-key", "/apps/demo-app/events",
            "/apps/demo-app/channels", "/actuator/health", "/demo/config");

    private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AuthServiceConfiguration.class, AuthServiceOffConfiguration.class,
                    ReactiveUserDetailsServiceAutoConfiguration.class, ReactiveWebSecurityAutoConfiguration.class));

    static boolean claims(AssertableReactiveWebApplicationContext context, String path) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(path));
        return context.getBeansOfType(SecurityWebFilterChain.class).values().stream()
                .anyMatch(chain -> Boolean.TRUE.equals(chain.matches(exchange).block(Duration.ofSeconds(30))));
    }

    @Test
    void offItDeclaresNoRouteAndSpringSecurityClaimsNothing() {
        for (String value : new String[] { null, "false" }) {
            ReactiveWebApplicationContextRunner off = value == null ? runner
                    : runner.withPropertyValues(AuthServiceConfiguration.ENABLED + "=" + value);
            off.run(context -> {
                assertThat(context).hasNotFailed().doesNotHaveBean(RouterFunction.class)
                        .doesNotHaveBean(AdminHandler.class).doesNotHaveBean(AuthSecurity.class)
                        .doesNotHaveBean(ReactiveUserDetailsService.class);
                for (String path : OTHER_ROUTES) {
                    assertThat(claims(context, path)).as(path).isFalse();
                }
                assertThat(claims(context, "/admin/apps")).isFalse();
            });
        }
    }

    @Test
    void onSpringSecurityClaimsTheAdminAndInternalApisOnly() {
        runner.withPropertyValues(AuthServiceConfiguration.ENABLED + "=true", "herald.auth.admin-token=" + ADMIN_TOKEN,
                "herald.auth.internal-token=" + INTERNAL_TOKEN).run(context -> {
                    assertThat(context).hasNotFailed().hasBean("authRoutes").hasSingleBean(AuthSecurity.class)
                            .hasSingleBean(SecurityWebFilterChain.class).doesNotHaveBean("heraldSecuresNothing")
                            .doesNotHaveBean(ReactiveUserDetailsService.class);
                    assertThat(claims(context, "/admin/apps")).isTrue();
                    assertThat(claims(context, "/admin/apps/x/rotate-secret")).isTrue();
                    assertThat(claims(context, "/internal/v1/apps/by-key/k")).isTrue();
                    for (String path : OTHER_ROUTES) {
                        assertThat(claims(context, path)).as(path).isFalse();
                    }
                });
    }

    @Test
    void withoutAnAdminTokenTheRoleStartsWithTheAdminApiOff() {
        runner.withPropertyValues(AuthServiceConfiguration.ENABLED + "=true").run(context -> {
            assertThat(context).hasNotFailed().hasBean("authRoutes");
            assertThat(context.getBean(AuthServiceProperties.class).adminApiEnabled()).isFalse();
            assertThat(claims(context, "/admin/apps")).isTrue();
        });
    }

    @Test
    void aShortTokenIsRefusedEvenWhereTokensAreOptional() {
        runner.withPropertyValues(AuthServiceConfiguration.ENABLED + "=true", "herald.auth.admin-token=short")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("herald.auth.admin-token must be at least 16 characters"));
        runner.withPropertyValues(AuthServiceConfiguration.ENABLED + "=true", "herald.auth.internal-token=short")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("herald.auth.internal-token must be at least 16 characters"));
    }

    @Test
    void aRemoteAuthServiceAndTheAuthRoleExcludeEachOther() {
        runner.withPropertyValues(AuthServiceConfiguration.ENABLED + "=true", "herald.auth.url=http://auth:6003",
                "herald.auth.internal-token=" + INTERNAL_TOKEN).run(context -> assertThat(context).hasFailed()
                        .getFailure().rootCause().isInstanceOf(ImpossibleConfigurationException.class)
                        .hasMessageContaining("remove herald.auth.url")
                        .hasMessageContaining("herald.auth.enabled=false"));
    }

    @Test
    void theServiceApplicationSwitchesItOnAndRequiresBothTokens() {
        assertThat(AuthServiceApplication.defaultProperties()).containsEntry(AuthServiceConfiguration.ENABLED, true);
        assertThatThrownBy(() -> AuthServiceApplication.builder().properties(Map.of("server.port", 0)).run())
                .rootCause().hasMessageContaining("herald.auth.admin-token must be set")
                .hasMessageContaining("herald.auth.internal-token must be set");
        assertThatThrownBy(() -> AuthServiceApplication.builder().properties(Map.of("server.port", 0))
                .run("--herald.auth.admin-token=" + ADMIN_TOKEN))
                .rootCause().hasMessageNotContaining("herald.auth.admin-token must be set")
                .hasMessageContaining("herald.auth.internal-token must be set");
    }
}
