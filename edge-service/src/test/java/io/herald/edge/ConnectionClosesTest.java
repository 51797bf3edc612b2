package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.metrics.HeraldMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The tags of {@code herald.connections.closed} stay a fixed set whatever codes clients close with. */
class ConnectionClosesTest {

    @Test
    void countsKnownCodesUnderTheirOwnTagAndEveryOtherCodeAsOther() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ConnectionCloses closes = new ConnectionCloses(meters);
        int seriesAtStart = meters.find(HeraldMeters.CONNECTIONS_CLOSED.meterName()).counters().size();

        closes.count(4100);
        closes.count(1001);
        for (int code = 3000; code < 3100; code++) {
            closes.count(code);
        }

        assertThat(counter(meters, "4100").getId().getTag("reason")).isEqualTo("over_capacity");
        assertThat(counter(meters, "4100").count()).isEqualTo(1);
        assertThat(counter(meters, "1001").getId().getTag("reason")).isEqualTo("going_away");
        assertThat(counter(meters, ConnectionCloses.OTHER).count()).isEqualTo(100);
        assertThat(meters.find(HeraldMeters.CONNECTIONS_CLOSED.meterName()).counters()).hasSize(seriesAtStart);
    }

    private static Counter counter(SimpleMeterRegistry meters, String code) {
        return meters.get(HeraldMeters.CONNECTIONS_CLOSED.meterName()).tag("code", code).counter();
    }
}
