package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** {@code helm/herald/README.md} documents every value of {@code values.yaml}. */
class ChartReadmeTest {

    /** Maps documented as a whole (their keys are Kubernetes' own, not the chart's). */
    private static final Set<String> WHOLE = Set.of("resources", "behavior", "podSecurityContext",
            "containerSecurityContext", "labels");

    /** The README's placeholders: a row for all six services, or for the three that autoscale. */
    private static final Map<String, List<String>> PLACEHOLDERS = Map.of(
            "<service>", List.of("gateway", "edge", "publish", "auth", "rateLimit", "metrics"),
            "<scaled>", List.of("gateway", "edge", "publish"));

    @Test
    void everyValueIsDocumented() {
        Map<String, Object> values = new Yaml().load(Chart.file("values.yaml"));
        List<String> leaves = new ArrayList<>();
        leaves(values, "", leaves);
        assertThat(leaves).hasSizeGreaterThan(150);
        String readme = expand(Chart.file("README.md"));
        assertThat(leaves).as("values missing from helm/herald/README.md")
                .filteredOn(path -> !readme.contains("`" + path + "`")).isEmpty();
    }

    @Test
    void aValueMissingFromTheReadmeIsFound() {
        String readme = expand("| `<scaled>.autoscaling.enabled` | | |");
        assertThat(readme).contains("`edge.autoscaling.enabled`").doesNotContain("`auth.autoscaling.enabled`");
    }

    private static String expand(String readme) {
        StringBuilder all = new StringBuilder(readme);
        PLACEHOLDERS.forEach((placeholder, services) -> services
                .forEach(service -> all.append('\n').append(readme.replace("`" + placeholder + ".", "`" + service + "."))));
        return all.toString();
    }

    @SuppressWarnings("unchecked")
    private static void leaves(Map<String, Object> map, String prefix, List<String> out) {
        map.forEach((key, value) -> {
            String path = prefix + key;
            if (value instanceof Map<?, ?> nested && !nested.isEmpty() && !WHOLE.contains(key)) {
                leaves((Map<String, Object>) nested, path + ".", out);
            }
            else {
                out.add(path);
            }
        });
    }
}
