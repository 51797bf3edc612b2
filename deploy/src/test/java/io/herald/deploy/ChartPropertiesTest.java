package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every environment variable the chart gives a Herald container names a property the services
 * really have: a misspelt name renders, deploys and is silently ignored by Spring Boot. The
 * known properties are the configuration metadata of the services and their libraries
 * ({@code META-INF/spring-configuration-metadata.json} on this module's test classpath, which
 * holds every service), in Spring Boot's canonical environment form: upper case, dots to
 * underscores, dashes dropped, a list index as {@code _<n>}.
 */
class ChartPropertiesTest {

    /** Not Spring properties: read by the JVM itself. */
    private static final Set<String> NOT_PROPERTIES = Set.of("JAVA_TOOL_OPTIONS");

    private static final Pattern INDEXED = Pattern.compile("(.+)_\\d+");

    static final Set<String> KNOWN = new HashSet<>();

    @BeforeAll
    static void readMetadata() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String resource : List.of("META-INF/spring-configuration-metadata.json",
                "META-INF/additional-spring-configuration-metadata.json")) {
            Enumeration<URL> urls = ChartPropertiesTest.class.getClassLoader().getResources(resource);
            while (urls.hasMoreElements()) {
                try (InputStream in = urls.nextElement().openStream()) {
                    JsonNode properties = json.readTree(in).path("properties");
                    properties.forEach(p -> KNOWN.add(envName(p.path("name").asText())));
                }
            }
        }
        // The metadata of Herald's own services is there (not only Spring's).
        assertThat(KNOWN).contains("HERALD_REDIS_SHARDS", "HERALD_EDGE_DRAINPERIOD", "HERALD_GATEWAY_EDGES",
                "SPRING_CLOUD_LOADBALANCER_CONFIGURATIONS", "LOGGING_STRUCTURED_FORMAT_CONSOLE", "SPRING_CONFIG_IMPORT");
    }

    /** Spring Boot's canonical environment variable of a property name. */
    static String envName(String property) {
        return property.replace("-", "").replace(".", "_").toUpperCase(java.util.Locale.ROOT);
    }

    static boolean known(String variable) {
        if (KNOWN.contains(variable) || NOT_PROPERTIES.contains(variable)) {
            return true;
        }
        var indexed = INDEXED.matcher(variable);
        return indexed.matches() && KNOWN.contains(indexed.group(1));
    }

    @ParameterizedTest
    @MethodSource("io.herald.deploy.ChartContentTest#renderings")
    void everyVariableNamesARealProperty(String rendering) {
        Chart.Rendered rendered = ChartContentTest.render(rendering);
        List<String> unknown = new ArrayList<>();
        for (Deployment d : rendered.all(Deployment.class)) {
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            List<String> names = new ArrayList<>(c.getEnv().stream().map(EnvVar::getName).toList());
            for (EnvFromSource from : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    names.addAll(rendered.get(ConfigMap.class, from.getConfigMapRef().getName()).getData().keySet());
                }
                if (from.getSecretRef() != null && rendered.has(Secret.class, from.getSecretRef().getName())) {
                    names.addAll(rendered.secretData(from.getSecretRef().getName()).keySet());
                }
            }
            names.stream().filter(n -> !known(n)).forEach(n -> unknown.add(d.getMetadata().getName() + ": " + n));
        }
        assertThat(unknown).as("variables that name no property").isEmpty();
    }

    @Test
    void aMisspeltPropertyIsCaught() {
        assertThat(known("HERALD_EDGE_DRAINPERIOD")).isTrue();
        assertThat(known("HERALD_REDIS_SHARDS_3")).isTrue();
        assertThat(known("HERALD_EDGE_DRAIN_PERIODS")).isFalse();
        assertThat(known("HERALD_REDIS_SHARD_0")).isFalse();
        // A user's extra property goes through the same name mapping.
        Chart.Rendered rendered = Chart.render(null, "edge: { config: { herald.edge.max-subscriptions: 512 } }");
        Map<String, String> data = rendered.get(ConfigMap.class, "herald-edge").getData();
        assertThat(data).containsEntry("HERALD_EDGE_MAXSUBSCRIPTIONS", "512");
        assertThat(known("HERALD_EDGE_MAXSUBSCRIPTIONS")).isTrue();
    }
}
