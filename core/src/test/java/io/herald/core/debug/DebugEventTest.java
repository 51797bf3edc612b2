package io.herald.core.debug;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.protocol.PusherCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The console's events: payloads cut to 1 KiB, no credentials, and the agreed JSON fields. */
class DebugEventTest {

    private static final Instant T = Instant.parse("2026-12-01T23:00:00.123Z");

    @Test
    void aPayloadOver1KiBIsCutOnACharacterBoundaryAndMarkedTruncated() {
        String data = "é".repeat(700); // 1,400 bytes of UTF-8
        DebugEvent event = DebugEvent.apiMessage("app-a", T, "ch", "ev", data, "1.2");
        assertThat(event.truncated()).isTrue();
        byte[] bytes = event.data().getBytes(StandardCharsets.UTF_8);
        assertThat(bytes.length).isLessThanOrEqualTo(DebugEvent.MAX_DATA_BYTES).isGreaterThan(1020);
        assertThat(data).startsWith(event.data());

        DebugEvent small = DebugEvent.clientEvent("app-a", T, "1.2", "private-x", "client-e", "x".repeat(1024));
        assertThat(small.truncated()).isFalse();
        assertThat(small.data()).hasSize(1024);
    }

    @Test
    void theJsonHasTheAgreedFieldsAndReadsBack() {
        DebugEvent event = DebugEvent.apiMessage("app-a", T, "my-channel", "my-event", "x".repeat(2000), "1.2");
        String json = DebugEventJson.write(event);
        JsonNode node = PusherCodec.json().readTree(json);
        assertThat(node.get("type").asString()).isEqualTo("api_message");
        assertThat(node.get("time").asString()).isEqualTo("2026-12-01T23:00:00.123Z");
        assertThat(node.get("channel").asString()).isEqualTo("my-channel");
        assertThat(node.get("event").asString()).isEqualTo("my-event");
        assertThat(node.get("socket_id").asString()).isEqualTo("1.2");
        assertThat(node.get("truncated").asBoolean()).isTrue();
        assertThat(node.has("code")).isFalse();
        assertThat(DebugEventJson.read("app-a", json)).isEqualTo(event);

        DebugEvent closed = DebugEvent.connectionClosed("app-a", T, "1.2", 4201, "Pong reply not received");
        JsonNode closedNode = PusherCodec.json().readTree(DebugEventJson.write(closed));
        assertThat(closedNode.get("code").asInt()).isEqualTo(4201);
        assertThat(closedNode.get("reason").asString()).isEqualTo("Pong reply not received");
        assertThat(closedNode.has("truncated")).isFalse();
    }

    @Test
    void aWebhookUrlIsShownWithoutUserInfoOrQuery() {
        DebugEvent event = DebugEvent.webhookAttempt("app-a", T,
                URI.create("https://user:pass@hooks.example.com:8443/pusher/hook?token=secret"), 500, "retrying");
        assertThat(event.url()).isEqualTo("https://hooks.example.com:8443/pusher/hook");
        assertThat(DebugEventJson.write(event)).doesNotContain("pass").doesNotContain("secret")
                .contains("\"status\":500").contains("\"outcome\":\"retrying\"");
    }
}
