package io.herald.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** Start-up refusals of impossible configurations, and how Spring Boot reports them. */
class ImpossibleConfigurationTest {

    @Test
    void theFailureAnalyzerIsRegisteredForEveryService() {
        // Boot's own analyzers that need a bean factory cannot be built here: skipped, ours is not one.
        assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(FailureAnalyzer.class, null,
                SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> { })))
                .hasAtLeastOneElementOfType(ImpossibleConfigurationFailureAnalyzer.class);
    }

    @Test
    void theAnalysisIsTheDescriptionAndTheAction() {
        ImpossibleConfigurationException cause = new ImpossibleConfigurationException("What is wrong.", "What to do.");

        FailureAnalysis analysis = new ImpossibleConfigurationFailureAnalyzer()
                .analyze(new IllegalStateException("wrapped", cause));

        assertThat(analysis.getDescription()).isEqualTo("What is wrong.");
        assertThat(analysis.getAction()).isEqualTo("What to do.");
        assertThat(analysis.getCause()).isSameAs(cause);
    }

    @Test
    void aRoleThatNeedsSecretsRefusesAnAuthUrlAndSaysWhichPropertyToRemove() {
        ImpossibleConfigurationException refused = catchThrowableOfType(ImpossibleConfigurationException.class,
                () -> AppSecretsRequired.check(environment(Map.of("herald.auth.url", "http://user:pw@auth:6003")),
                        "the test role"));

        assertThat(refused).isNotNull();
        assertThat(refused.description()).contains("herald.auth.url is set").contains("the test role")
                .contains("public view");
        assertThat(refused.action()).startsWith("Remove herald.auth.url");
        // Property names only: a URL may carry credentials.
        assertThat(refused.getMessage()).doesNotContain("pw@").doesNotContain("auth:6003");
    }

    @Test
    void noAuthUrlOrAnEmptyOneIsFine() {
        assertThatCode(() -> AppSecretsRequired.check(environment(Map.of()), "r")).doesNotThrowAnyException();
        assertThatCode(() -> AppSecretsRequired.check(environment(Map.of("herald.auth.url", "")), "r"))
                .doesNotThrowAnyException();
    }

    @Test
    void theCheckRunsBeforeAnyBeanIsCreated() {
        new ApplicationContextRunner().withUserConfiguration(NeedsSecrets.class)
                .withPropertyValues("herald.auth.url=http://auth:6003")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).isInstanceOf(ImpossibleConfigurationException.class);
                    assertThat(NeedsSecrets.created).isFalse();
                });
    }

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }

    @Configuration(proxyBeanMethods = false)
    static class NeedsSecrets {

        static volatile boolean created;

        @Bean
        static AppSecretsRequired needsSecrets() {
            return new AppSecretsRequired("the test role");
        }

        @Bean
        Object somethingThatWouldConnect() {
            created = true;
            return new Object();
        }
    }
}
