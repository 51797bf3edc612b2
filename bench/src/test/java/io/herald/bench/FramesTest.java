package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void channelEventDataIsDoubleEncoded() {
        String data = Frames.payloadJson(7, 42, 123456789L, "xx");
        String body = Frames.eventBody("bench-event", "bench", data);
        assertThat(body).isEqualTo("{\"name\":\"bench-event\",\"channel\":\"bench\",\"data\":"
                + "\"{\\\"r\\\":7,\\\"s\\\":42,\\\"t\\\":123456789,\\\"p\\\":\\\"xx\\\"}\"}");
        String frame = "{\"event\":\"bench-event\",\"channel\":\"bench\",\"data\":"
                + Frames.MAPPER.writeValueAsString(data) + "}";
        Frames.Frame f = Frames.parseFrame(frame);
        assertThat(f).isEqualTo(new Frames.Frame("bench-event", "bench", data));
        assertThat(Frames.parsePayload(f.data())).isEqualTo(new Frames.Payload(7, 42, 123456789L));
    }

    @Test
    void errorDataIsAnObject() {
        Frames.Frame f = Frames.parseFrame("{\"event\":\"pusher:error\",\"data\":{\"message\":\"no\",\"code\":4001}}");
        assertThat(f.event()).isEqualTo("pusher:error");
        assertThat(f.data()).contains("\"code\":4001");
    }

    @Test
    void foreignPayloadsAndGarbageAreIgnored() {
        assertThat(Frames.parsePayload("{\"probe\":true}")).isNull();
        assertThat(Frames.parsePayload("not json")).isNull();
        assertThat(Frames.parseFrame("[1,2]")).isNull();
        assertThat(Frames.parseFrame("{")).isNull();
    }

    @Test
    void subscribeAndPongFrames() {
        assertThat(Frames.subscribe("bench"))
                .isEqualTo("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"bench\"}}");
        assertThat(Frames.PONG).isEqualTo("{\"event\":\"pusher:pong\",\"data\":{}}");
    }
}
