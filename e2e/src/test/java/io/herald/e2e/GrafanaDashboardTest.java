package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The PromQL name extraction the dashboard test relies on. */
class GrafanaDashboardTest {

    @Test
    void metricNamesAreFoundAndFunctionsLabelsAndVariablesAreNot() {
        assertThat(GrafanaDashboard.metricNames("histogram_quantile(0.99, sum by (le) "
                + "(rate(herald_publish_latency_seconds_bucket{app_id=~\"$app\"}[$__rate_interval])))"))
                .containsExactly("herald_publish_latency_seconds_bucket");
        assertThat(GrafanaDashboard.metricNames("sum(rate(a_sum[5m])) / sum(rate(a_count[5m]))"))
                .containsExactly("a_count", "a_sum");
        assertThat(GrafanaDashboard.metricNames("max by (name) (resilience4j_circuitbreaker_state{state=\"open\"})"))
                .containsExactly("resilience4j_circuitbreaker_state");
        assertThat(GrafanaDashboard.metricNames("label_values(herald_messages_published_total, app_id)"))
                .containsExactly("herald_messages_published_total");
    }

    @Test
    void exposedNamesAreTheSampleNamesOfAnExposition() {
        assertThat(GrafanaDashboard.exposedNames("# HELP x y\n# TYPE x counter\nx_total{a=\"b\"} 1.0\ny 2\n"))
                .containsExactly("x_total", "y");
    }
}
