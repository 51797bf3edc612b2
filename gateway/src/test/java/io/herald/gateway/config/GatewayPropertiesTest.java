package io.herald.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class GatewayPropertiesTest {

    private static GatewayProperties with(List<URI> edges, DataSize max, int retries) {
        return with(edges, max, retries, Duration.ofSeconds(3), Duration.ofSeconds(5));
    }

    private static GatewayProperties with(List<URI> edges, DataSize max, int retries, Duration drainPeriod,
            Duration drainTimeout) {
        return new GatewayProperties(edges, List.of(), List.of(), List.of(), List.of("/usage/**"), max,
                Duration.ofSeconds(10), retries, new GatewayProperties.Breaker(50, 20, 10, Duration.ofSeconds(10)),
                drainPeriod, drainTimeout);
    }

    @Test
    void anInstanceMustBeAnHttpUriWithAHost() {
        assertThatThrownBy(() -> with(List.of(URI.create("edge-1:6001")), DataSize.ofMegabytes(1), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)://host:port");
        assertThatThrownBy(() -> with(List.of(URI.create("ws://edge-1:6001")), DataSize.ofMegabytes(1), 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limitsMustBeSensible() {
        assertThatThrownBy(() -> with(List.of(), DataSize.ofBytes(0), 2)).hasMessageContaining("max-request-size");
        assertThatThrownBy(() -> with(List.of(), DataSize.ofMegabytes(1), -1)).hasMessageContaining("retries");
        assertThatThrownBy(() -> with(List.of(), DataSize.ofMegabytes(1), 2, Duration.ofSeconds(-1), Duration.ZERO))
                .hasMessageContaining("drain-period");
        assertThatThrownBy(() -> with(List.of(), DataSize.ofMegabytes(1), 2, Duration.ofSeconds(3),
                Duration.ofSeconds(2))).hasMessageContaining("drain-timeout");
    }

    @Test
    void instancesBecomeServiceInstancesOfTheirService() {
        Backends backends = new Backends(with(List.of(URI.create("http://edge-1:6001"), URI.create("https://edge-2")),
                DataSize.ofMegabytes(1), 2));

        assertThat(backends.getInstances(Backends.EDGE).collectList().block())
                .extracting(i -> i.getUri().toString())
                .containsExactly("http://edge-1:6001", "https://edge-2:443");
        assertThat(backends.getInstances(Backends.PUBLISH).collectList().block()).isEmpty();
    }
}
