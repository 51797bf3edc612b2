package io.herald.publish.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.herald.core.config.ImpossibleConfigurationException;
import io.herald.core.testing.ServerTesting;
import io.herald.publish.PublishServiceApplication;
import io.herald.publish.webhook.WebhookDispatcherConfiguration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * publish-service checks signatures with the apps' secrets, so {@code herald.auth.url} (apps from
 * auth-service, public view only) is refused at start; it used to start and answer every request
 * with a 500 ("Empty key").
 */
@ExtendWith(OutputCaptureExtension.class)
class AuthUrlRefusedTest {

    static final String[] AUTH_URL = { "herald.auth.url=http://127.0.0.1:6003",
            "herald.auth.internal-token=internal-token-2f8d6b1a9e4c" };

    @Test
    void theWiringRefusesAnAuthUrl() {
        new ApplicationContextRunner().withUserConfiguration(PublishConfiguration.class)
                .withPropertyValues(PublishConfiguration.ENABLED + "=true")
                .withPropertyValues(AUTH_URL)
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).isInstanceOf(ImpossibleConfigurationException.class)
                            .hasMessageContaining("Remove herald.auth.url");
                });
    }

    @Test
    void aDispatcherOnlyProcessRefusesAnAuthUrlToo() {
        // It signs webhooks with the apps' secrets.
        new ApplicationContextRunner().withUserConfiguration(WebhookDispatcherConfiguration.class)
                .withPropertyValues(WebhookDispatcherConfiguration.ENABLED + "=true")
                .withPropertyValues(AUTH_URL)
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).isInstanceOf(ImpossibleConfigurationException.class)
                            .hasMessageContaining("the webhook dispatcher").hasMessageContaining("Remove herald.auth.url");
                });
    }

    @Test
    void aPublishServiceGivenAnAuthUrlDoesNotStartAndSaysWhichPropertyToRemove(CapturedOutput output) {
        AtomicReference<ConfigurableApplicationContext> started = new AtomicReference<>();

        Throwable failure = catchThrowable(() -> started.set(PublishServiceApplication.builder()
                .initializers(ServerTesting::ownEventLoops)
                .run("--server.port=0", "--" + AUTH_URL[0], "--" + AUTH_URL[1],
                        "--herald.apps[0].id=app", "--herald.apps[0].key=key", "--herald.apps[0].secret=secret")));
        if (started.get() != null) {
            started.get().close();
        }

        assertThat(failure).isInstanceOf(ImpossibleConfigurationException.class);
        // Spring Boot's report, from ImpossibleConfigurationFailureAnalyzer.
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("herald.auth.url is set, but this process serves the Pusher HTTP API")
                .contains("Action:").contains("Remove herald.auth.url");
    }
}
