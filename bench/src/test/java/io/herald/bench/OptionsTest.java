package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void defaultsMatchTheDemoApp() {
        Options o = Options.parse();
        assertThat(o.host).isEqualTo("127.0.0.1");
        assertThat(o.port).isEqualTo(6001);
        assertThat(o.appId).isEqualTo("demo-app");
        assertThat(o.key).isEqualTo("demo-key");
        assertThat(o.secret).isEqualTo("demo-secret");
        assertThat(o.wsUrl()).isEqualTo("ws://127.0.0.1:6001/app/demo-key?protocol=7&client=herald-bench&version=1.0");
    }

    @Test
    void parsesBothSyntaxes() {
        Options o = Options.parse("--rate", "250", "--steps=10,20,40", "--find-max", "--json=out/r.json");
        assertThat(o.rate).isEqualTo(250);
        assertThat(o.steps).isEqualTo(List.of(10, 20, 40));
        assertThat(o.findMax).isTrue();
        assertThat(o.json.toString()).isEqualTo("out/r.json");
    }

    @Test
    void rejectsOutOfRangeAndUnknown() {
        assertThatThrownBy(() -> Options.parse("--subscribers", "0")).hasMessageContaining("--subscribers");
        assertThatThrownBy(() -> Options.parse("--bogus", "1")).hasMessageContaining("Unknown option");
        assertThatThrownBy(() -> Options.parse("--steps", "100,50")).hasMessageContaining("increasing");
        assertThatThrownBy(() -> Options.parse("--rate")).hasMessageContaining("Missing value");
    }

    @Test
    void channelsAreAssignedRoundRobin() {
        Options o = Options.parse("--subscribers", "10", "--channels", "3");
        assertThat(o.channelOfSubscriber(0)).isEqualTo("bench-0");
        assertThat(o.channelOfSubscriber(4)).isEqualTo("bench-1");
        assertThat(o.channelOfMessage(5)).isEqualTo("bench-2");
        assertThat(Options.parse().channelOfMessage(7)).isEqualTo("bench");
        assertThatThrownBy(() -> Options.parse("--subscribers", "2", "--channels", "3"))
                .hasMessageContaining("--channels");
    }

    @Test
    void nchanPeerModeUsesNchansLocations() {
        Options o = Options.parse("--protocol", "nchan", "--port", "7000");
        assertThat(o.protocol).isEqualTo(Options.Protocol.NCHAN);
        assertThat(o.wsUrl("bench")).isEqualTo("ws://127.0.0.1:7000/sub/bench");
        assertThat(o.publishPath("bench")).isEqualTo("/pub/bench");
        Options pusher = Options.parse();
        assertThat(pusher.wsUrl("bench")).isEqualTo(pusher.wsUrl());
        assertThat(pusher.publishPath("bench")).isEqualTo("/apps/demo-app/events");
        assertThatThrownBy(() -> Options.parse("--protocol", "mqtt")).hasMessageContaining("--protocol");
        assertThat(Options.parse("--server-pid", "12,34").serverPids).containsExactly(12, 34);
    }

    @Test
    void publisherLoopAndProbeSubscribers() {
        Options o = Options.parse();
        assertThat(o.dedicatedPublisherLoop).isTrue();
        assertThat(o.probeSubscribers).isZero();
        Options shared = Options.parse("--publisher-loop", "shared", "--probe-subscribers", "5", "--subscribers", "20");
        assertThat(shared.dedicatedPublisherLoop).isFalse();
        assertThat(shared.probeSubscribers).isEqualTo(5);
        assertThatThrownBy(() -> Options.parse("--publisher-loop", "own")).hasMessageContaining("--publisher-loop");
        // every probe is also a subscriber, so at least one ordinary subscriber must remain
        assertThatThrownBy(() -> Options.parse("--probe-subscribers", "20", "--subscribers", "20"))
                .hasMessageContaining("--probe-subscribers");
    }
}
