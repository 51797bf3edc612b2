package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.herald.auth.config.AuthServiceProperties;
import io.herald.core.app.AppsProperties;
import io.herald.core.auth.AuthProperties;
import io.herald.core.ratelimit.RateLimitProperties;
import io.herald.core.redis.RedisProperties;
import io.herald.core.tenant.TenantsProperties;
import io.herald.edge.config.EdgeProperties;
import io.herald.gateway.config.GatewayProperties;
import io.herald.publish.config.PublishProperties;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

/**
 * Each Deployment's environment, as Kubernetes would assemble it (its ConfigMap, the Secrets it
 * reads whole, each {@code secretKeyRef} resolved from the rendered Secrets), bound by Spring
 * Boot's own {@link Binder} into the services' real {@code *Properties} records, with their
 * validation: the chart's variables do not only name properties (ChartPropertiesTest), their
 * values parse and mean what the chart intends. auth-service's seed goes through Spring Boot's
 * {@code spring.config.import} as in the container, from the rendered Secret's {@code seed.yaml}.
 */
class ChartBindingTest {

    @TempDir
    Path seedDir;

    @Test
    void theEdgesGetShardsAuthServiceAndTheirDrain() {
        Chart.Rendered rendered = Chart.render("bundled-sentinel-values.yaml");
        Binder edge = binder(rendered, "herald-edge");
        RedisProperties redis = edge.bind("herald.redis", RedisProperties.class).get();
        assertThat(redis.shards()).hasSize(3).allSatisfy(uri -> assertThat(uri.getScheme()).isEqualTo("redis-sentinel"));
        assertThat(redis.state()).isNotNull();
        assertThat(redis.keyPrefix()).isEqualTo("herald:");
        AuthProperties auth = edge.bind("herald.auth", AuthProperties.class).get();
        assertThat(auth.url()).isEqualTo(URI.create("http://herald-auth:6003"));
        assertThat(auth.internalToken()).isEqualTo("sentinel-internal-token-0123456789");
        EdgeProperties drain = edge.bindOrCreate("herald.edge", EdgeProperties.class);
        assertThat(drain.drainPeriod()).isEqualTo(Duration.ofSeconds(3));
        assertThat(drain.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(drain.drainHandover()).isEqualTo(Duration.ofSeconds(10));
        assertThat(edge.bind("herald.ratelimit", RateLimitProperties.class).get().nodes()).isEqualTo(3);
        assertThat(edge.bind("server.port", Integer.class).get()).isEqualTo(6001);
    }

    @Test
    void publishNodesGetTheSameShardsAndLeaveTheRequestRateToTheGateway() {
        Chart.Rendered rendered = Chart.render("production-external-values.yaml");
        Binder publish = binder(rendered, "herald-publish");
        assertThat(publish.bind("herald.redis", RedisProperties.class).get().shards())
                .isEqualTo(binder(rendered, "herald-edge").bind("herald.redis", RedisProperties.class).get().shards())
                .hasSize(4);
        PublishProperties properties = publish.bindOrCreate("herald.publish", PublishProperties.class);
        assertThat(properties.apiRequestLimit()).isFalse();
        assertThat(properties.maxRequestSize()).isEqualTo(DataSize.ofMegabytes(1));
        RateLimitProperties limits = publish.bind("herald.ratelimit", RateLimitProperties.class).get();
        assertThat(limits.url()).isEqualTo(URI.create("http://herald-rate-limit:6004"));
        assertThat(limits.nodes()).isEqualTo(3);
        // Its token comes from the operator's existing Secret, which this rendering does not hold.
        assertThat(publish.bind("herald.ratelimit.internal-token", String.class).isBound()).isFalse();
    }

    @Test
    void theGatewayRoutesToTheServicesAndEnforcesTheRequestRate() {
        Chart.Rendered rendered = Chart.render(null);
        Binder gateway = binder(rendered, "herald-gateway");
        GatewayProperties routes = gateway.bindOrCreate("herald.gateway", GatewayProperties.class);
        assertThat(routes.edges()).containsExactly(URI.create("http://herald-edge:6001"));
        assertThat(routes.publishers()).containsExactly(URI.create("http://herald-publish:6002"));
        assertThat(routes.auth()).containsExactly(URI.create("http://herald-auth:6003"));
        assertThat(routes.metrics()).containsExactly(URI.create("http://herald-metrics:6005"));
        assertThat(routes.maxRequestSize()).isEqualTo(DataSize.ofMegabytes(1));
        assertThat(routes.drainPeriod()).isEqualTo(Duration.ofSeconds(3));
        assertThat(routes.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        RateLimitProperties limits = gateway.bind("herald.ratelimit", RateLimitProperties.class).get();
        assertThat(limits.url()).isEqualTo(URI.create("http://herald-rate-limit:6004"));
        assertThat(limits.internalToken()).hasSizeGreaterThanOrEqualTo(16)
                .isEqualTo(rendered.secretData("herald").get("ratelimit-token"));
        assertThat(gateway.bind("herald.auth", AuthProperties.class).get().internalToken())
                .isEqualTo(rendered.secretData("herald").get("internal-token"));
        assertThat(gateway.bind("spring.cloud.loadbalancer.configurations", String.class).get()).isEqualTo("default");
        assertThat(gateway.bind("herald.redis.state", String.class).isBound()).isFalse();
    }

    @Test
    void authServiceSeedsTheAppsAndTenantsOfTheValues() throws Exception {
        Chart.Rendered rendered = Chart.render("bundled-sentinel-values.yaml");
        Map<String, Object> env = environment(rendered, "herald-auth");
        // The Secret's seed.yaml where the container would have it mounted.
        String mounted = "optional:file:/etc/herald/seed/seed.yaml";
        assertThat(env).containsEntry("SPRING_CONFIG_IMPORT", mounted);
        Path seed = seedDir.resolve("seed.yaml");
        Files.writeString(seed, rendered.secretData("herald-seed").get("seed.yaml"));
        env.put("SPRING_CONFIG_IMPORT", "optional:file:" + seed);
        StandardEnvironment environment = environment(env);
        ConfigDataEnvironmentPostProcessor.applyTo(environment);
        Binder auth = Binder.get(environment);

        List<AppsProperties.AppProperties> apps = auth.bind("herald", AppsProperties.class).get().apps();
        assertThat(apps).singleElement().satisfies(app -> {
            assertThat(app.id()).isEqualTo("shop");
            assertThat(app.secret()).isEqualTo("shop-secret-value-0123456789");
            assertThat(app.maxConnections()).isEqualTo(10000);
            assertThat(app.webhooks()).singleElement()
                    .satisfies(w -> assertThat(w.url()).hasToString("https://shop.example.com/pusher/webhooks"));
        });
        assertThat(auth.bind("herald", TenantsProperties.class).get().tenants()).singleElement()
                .satisfies(t -> assertThat(t.apps()).containsExactly("shop"));
        assertThat(auth.bind("herald.auth", AuthServiceProperties.class).get().adminToken())
                .isEqualTo("sentinel-admin-token-0123456789");
        assertThat(auth.bind("herald.redis", RedisProperties.class).get().state()).isNotNull();
    }

    @Test
    void theOtherServicesGetTheStateRedisAndTheirTokens() {
        Chart.Rendered rendered = Chart.render("small-values.yaml");
        Binder rateLimit = binder(rendered, "herald-rate-limit");
        assertThat(rateLimit.bind("herald.ratelimit", RateLimitProperties.class).get().internalToken())
                .isEqualTo("small-ratelimit-token-0123456789");
        RedisProperties redis = rateLimit.bind("herald.redis", RedisProperties.class).get();
        assertThat(redis.shards()).isEmpty();
        assertThat(redis.state()).isEqualTo(URI.create("redis://small-redis-password@herald-redis-state:6379"));
        Binder metrics = binder(rendered, "herald-metrics");
        assertThat(metrics.bind("herald.auth", AuthServiceProperties.class).get().adminToken())
                .isEqualTo("small-admin-token-0123456789");
        assertThat(metrics.bind("logging.structured.format.console", String.class).get()).isEqualTo("ecs");
    }

    // ---------------------------------------------------------------------------------------------

    private static Binder binder(Chart.Rendered rendered, String deployment) {
        return Binder.get(environment(environment(rendered, deployment)));
    }

    /** Only the container's variables: no system properties, no real environment. */
    private static StandardEnvironment environment(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
        return environment;
    }

    /**
     * The container's variables as Kubernetes sets them: {@code envFrom} first, then {@code env}
     * (which wins). A reference to a Secret the rendering does not hold (an existing one) is left out.
     */
    static Map<String, Object> environment(Chart.Rendered rendered, String deployment) {
        Container c = ChartContentTest.container(rendered, deployment);
        Map<String, Object> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                env.putAll(rendered.get(ConfigMap.class, from.getConfigMapRef().getName()).getData());
            }
            if (from.getSecretRef() != null && rendered.has(io.fabric8.kubernetes.api.model.Secret.class,
                    from.getSecretRef().getName())) {
                env.putAll(rendered.secretData(from.getSecretRef().getName()));
            }
        }
        for (EnvVar var : c.getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
                continue;
            }
            SecretKeySelector ref = var.getValueFrom().getSecretKeyRef();
            assertThat(ref).as("env %s: only literal values and Secret references", var.getName()).isNotNull();
            if (rendered.has(io.fabric8.kubernetes.api.model.Secret.class, ref.getName())) {
                String value = rendered.secretData(ref.getName()).get(ref.getKey());
                assertThat(value).as("key %s of Secret %s", ref.getKey(), ref.getName()).isNotNull();
                env.put(var.getName(), value);
            }
        }
        return env;
    }
}
