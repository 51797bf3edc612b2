package io.herald.edge.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The route reads the request target as Spring did: the same paths, keys and {@code protocol} values. */
class PusherWebSocketRouteTest {

    @Test
    void takesTheAppPathWithOneSegmentAsSpringsPatternDid() {
        assertThat(PusherWebSocketRoute.isAppPath("/app/key")).isTrue();
        assertThat(PusherWebSocketRoute.isAppPath("/app/key/")).isTrue();
        assertThat(PusherWebSocketRoute.isAppPath("/app/")).isTrue();
        assertThat(PusherWebSocketRoute.isAppPath("/app/key/extra")).isFalse();
        assertThat(PusherWebSocketRoute.isAppPath("/app")).isFalse();
        assertThat(PusherWebSocketRoute.isAppPath("/application/key")).isFalse();
    }

    @Test
    void theKeyIsTheDecodedSegment() {
        assertThat(PusherWebSocketRoute.keyOf("/app/my%20key")).isEqualTo("my key");
        assertThat(PusherWebSocketRoute.keyOf("/app/key/")).isEqualTo("key");
        assertThat(PusherWebSocketRoute.keyOf("/app/")).isNull();
        assertThat(PusherWebSocketRoute.keyOf("/app/key/extra")).isNull();
    }

    @Test
    void theProtocolIsTheFirstRawValue() {
        assertThat(PusherWebSocketRoute.queryParam("protocol=7&client=js", "protocol")).isEqualTo("7");
        assertThat(PusherWebSocketRoute.queryParam("client=js&protocol=7", "protocol")).isEqualTo("7");
        assertThat(PusherWebSocketRoute.queryParam("protocol=7&protocol=8", "protocol")).isEqualTo("7");
        assertThat(PusherWebSocketRoute.queryParam("protocol=%37", "protocol")).isEqualTo("%37");
        assertThat(PusherWebSocketRoute.queryParam("protocol=", "protocol")).isEmpty();
        assertThat(PusherWebSocketRoute.queryParam("protocol&x=1", "protocol")).isNull();
        assertThat(PusherWebSocketRoute.queryParam("protocols=7&xprotocol=7", "protocol")).isNull();
        assertThat(PusherWebSocketRoute.queryParam(null, "protocol")).isNull();
        assertThat(PusherWebSocketRoute.queryParam("", "protocol")).isNull();
    }
}
