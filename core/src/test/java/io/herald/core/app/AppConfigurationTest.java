package io.herald.core.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.app.redis.RedisAppStore;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.auth.LocalAuthVerifier;
import io.herald.core.auth.http.AuthServiceClient;
import io.herald.core.auth.http.HttpAppStore;
import io.herald.core.auth.http.HttpAuthVerifier;
import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Which app store and verifier {@code AppConfiguration} picks, without starting a server. */
@ExtendWith(OutputCaptureExtension.class)
class AppConfigurationTest {

    static final String TOKEN = "internal-token-that-must-not-leak-1234";

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeraldCoreConfiguration.class))
            .withPropertyValues("herald.apps[0].id=app-1", "herald.apps[0].key=key-1",
                    "herald.apps[0].secret=secret-1");

    @Test
    void withNothingConfiguredAppsAreStaticAndVerifiedLocally() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(AppStore.class)).isInstanceOf(StaticAppStore.class);
            assertThat(context.getBean(AuthVerifier.class)).isInstanceOf(LocalAuthVerifier.class);
            assertThat(context).doesNotHaveBean(AppRegistry.class);
            assertThat(context.getBean(AppStore.class).findByKey("key-1").block(Duration.ofSeconds(30)).secret())
                    .isEqualTo("secret-1");
        });
    }

    @Test
    void withAStateRedisAppsAreSeededThereAndCached() {
        try (RedisServer redis = RedisServer.start()) {
            runner.withPropertyValues("herald.redis.state=" + redis.uri(),
                    "herald.redis.key-prefix=" + RedisServer.uniquePrefix(), "herald.auth.cache-ttl=10s")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        AppStore store = context.getBean(AppStore.class);
                        assertThat(store).isInstanceOf(CachingAppStore.class);
                        assertThat(((CachingAppStore) store).delegate()).isInstanceOf(RedisAppStore.class);
                        assertThat(context.getBean(AppRegistry.class)).isInstanceOf(RedisAppStore.class);
                        assertThat(context.getBean(AuthVerifier.class)).isInstanceOf(LocalAuthVerifier.class);
                        assertThat(context.getBean(AppRegistry.class).findById("app-1").block(Duration.ofSeconds(30))
                                .key()).isEqualTo("key-1");
                    });
        }
    }

    @Test
    void withAnAuthServiceUrlAppsAndVerificationComeFromIt() {
        runner.withPropertyValues("herald.auth.url=http://127.0.0.1:1", "herald.auth.internal-token=" + TOKEN,
                // Even with a state Redis, an edge pointed at auth-service does not read it.
                "herald.redis.state=redis://127.0.0.1:1")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    AppStore store = context.getBean(AppStore.class);
                    assertThat(((CachingAppStore) store).delegate()).isInstanceOf(HttpAppStore.class);
                    assertThat(context.getBean(AuthVerifier.class)).isInstanceOf(HttpAuthVerifier.class);
                    assertThat(context).hasSingleBean(AuthServiceClient.class).doesNotHaveBean(AppRegistry.class);
                });
    }

    @Test
    void theStaleViewGaugesAreRegisteredWithTheConfiguredStaleness() {
        runner.withBean(io.micrometer.core.instrument.MeterRegistry.class,
                io.micrometer.core.instrument.simple.SimpleMeterRegistry::new)
                .withPropertyValues("herald.auth.url=http://127.0.0.1:1", "herald.auth.internal-token=" + TOKEN,
                        "herald.auth.max-staleness=10m")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(io.herald.core.auth.AuthProperties.class).maxStaleness())
                            .isEqualTo(java.time.Duration.ofMinutes(10));
                    var meters = context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
                    assertThat(meters.get("herald.apps.stale").gauge().value()).isZero();
                    assertThat(meters.get("herald.apps.stale.age").gauge().value()).isZero();
                });
    }

    @Test
    void anEdgeOnAuthServiceSaysAtStartWhatItIgnoresAndWhatItCannotDeliver(CapturedOutput output) {
        runner.withPropertyValues("herald.auth.url=http://127.0.0.1:1", "herald.auth.internal-token=" + TOKEN)
                .run(context -> assertThat(context).hasNotFailed());

        assertThat(output.getAll()).contains("herald.apps is ignored on this node")
                .contains("herald.auth.url without herald.redis.state: webhooks raised on this node have no dispatcher")
                .doesNotContain("secret-1").doesNotContain(TOKEN);
    }

    @Test
    void anEdgeOnAuthServiceWithAStateRedisAndNoSeedAppsWarnsOfNothing(CapturedOutput output) {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(HeraldCoreConfiguration.class))
                .withPropertyValues("herald.auth.url=http://127.0.0.1:1", "herald.auth.internal-token=" + TOKEN,
                        "herald.redis.state=redis://127.0.0.1:1")
                .run(context -> assertThat(context).hasNotFailed());

        assertThat(output.getAll()).doesNotContain("is ignored on this node").doesNotContain("have no dispatcher");
    }

    @Test
    void anAuthServiceUrlWithoutATokenIsABadConfigurationAndTheMessageSaysSo() {
        runner.withPropertyValues("herald.auth.url=http://127.0.0.1:1", "herald.auth.timeout=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("herald.auth.internal-token must be set")
                    .hasMessageContaining("herald.auth.timeout must be positive");
        });
    }
}
