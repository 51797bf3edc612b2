package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The chart passes Helm's lint and renders, with its defaults and with each realistic values file,
 * into manifests that parse strictly into typed Kubernetes objects ({@link Chart#parse}).
 */
class ChartRenderTest {

    static final List<String> VALUES_FILES = Chart.VALUES_FILES;

    @Test
    void lintsCleanly() {
        var lint = Chart.lint();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).allMatch(m -> m.startsWith("[INFO]"), "only informational messages");
    }

    @Test
    void rendersWithTheDefaults() {
        Chart.Rendered rendered = Chart.render(null);
        assertThat(rendered.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("herald-gateway", "herald-edge", "herald-publish", "herald-auth",
                        "herald-rate-limit", "herald-metrics");
    }

    @ParameterizedTest
    @FieldSource("VALUES_FILES")
    void rendersEachValuesFile(String valuesFile) {
        Chart.Rendered rendered = Chart.render(valuesFile);
        assertThat(rendered.all(Deployment.class)).hasSize(6);
        assertThat(rendered.objects()).allSatisfy(o -> assertThat(o.getMetadata().getName()).startsWith("herald"));
    }

    @Test
    void theNotesSayWhereToConnectAndWhatIsMissing() {
        String defaults = Chart.notes(null);
        assertThat(defaults).contains("http://herald.example.com/", "Redis: bundled, 2 channel shard(s)",
                "No apps are seeded", "WARNING: secrets.lookup is off");
        String small = Chart.notes("small-values.yaml");
        assertThat(small).contains("http://herald.localtest.me/").doesNotContain("WARNING", "No apps are seeded");
        assertThat(Chart.notes("production-external-values.yaml")).contains("https://realtime.example.com/",
                "Redis: external.", "Tokens are in Secret herald-tokens");
        assertThat(Chart.notes("bundled-sentinel-values.yaml"))
                .contains("each a Sentinel group with 2 replica(s) and 3 sentinels");
    }

    /** The strict parse itself fails on what Kubernetes would silently ignore. */
    @Test
    void theStrictParseRefusesAnUnknownField() {
        String misspelt = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: x }
                spec:
                  selector: { matchLabels: { a: b } }
                  template:
                    metadata: { labels: { a: b } }
                    spec:
                      containers:
                        - name: x
                          image: x
                          readinesProbe: { httpGet: { path: /, port: 80 } }
                """;
        assertThatThrownBy(() -> Chart.parse(misspelt)).hasMessageContaining("unknown field(s) [readinesProbe]")
                .hasMessageContaining("spec.template.spec.containers[0]");
        assertThatThrownBy(() -> Chart.parse("apiVersion: v1\nkind: Pod\nmetadata: { name: x }\n"))
                .hasMessageContaining("unexpected kind v1/Pod");
        List<HasMetadata> fine = Chart.parse("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: { a: b }\n");
        assertThat(fine).hasSize(1);
    }
}
