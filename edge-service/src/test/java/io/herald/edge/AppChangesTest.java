package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.app.App;
import io.herald.core.app.AppLimits;
import io.herald.core.app.AppRegistry;
import io.herald.core.signature.ChannelSignatures;
import io.herald.core.testing.RawClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * App changes made while clients are connected (apps in the state Redis, changed through the
 * registry as the admin API does) reach the open connections of the edge.
 */
class AppChangesTest extends EdgeAppTestSupport {

    static final String APP = "changing-app";
    static final String KEY = "changing-key";
    static final String SECRET = "changing-secret";

    AppChangesTest() {
        super(APP, KEY, SECRET);
    }

    @Override
    Map<String, Object> settings() {
        return Map.of("herald.redis.state", redis.uri().toString(), "herald.apps[2].client-events", true,
                "herald.apps[2].max-client-events-per-second", 100);
    }

    @Test
    void aLoweredClientEventRateAppliesToOpenConnections() {
        String channel = "private-rate";
        try (RawClient client = connect()) {
            String socket = client.established();
            String auth = ChannelSignatures.token(KEY, SECRET, ChannelSignatures.channelStringToSign(socket, channel, null));
            client.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + auth
                    + "\"}}");
            client.next("pusher_internal:subscription_succeeded");
            client.send(clientEvent(channel, 0));

            server.bean(AppRegistry.class).update(APP, app -> withClientEventRate(app, 1)).block(Duration.ofSeconds(30));
            ConnectionRegistry registry = server.bean(ConnectionRegistry.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.connections().stream()
                    .anyMatch(c -> c.socketId().equals(socket) && c.app().limits().maxClientEventsPerSecond() == 1));

            // At the old rate (100 per second) these would all pass; at one per second the second is refused.
            for (int i = 1; i <= 20; i++) {
                client.send(clientEvent(channel, i));
            }
            JsonNode error = client.next("pusher:error");
            assertThat(error.get("data").get("code").asInt()).isEqualTo(4301);
            assertThat(error.get("data").get("message").asString()).contains("at most 1 per second");
        }
    }

    private static String clientEvent(String channel, int i) {
        return "{\"event\":\"client-tick\",\"channel\":\"" + channel + "\",\"data\":{\"i\":" + i + "}}";
    }

    private static App withClientEventRate(App app, int perSecond) {
        AppLimits l = app.limits();
        return new App(app.id(), app.key(), app.secret(), app.name(), app.enabled(),
                new AppLimits(l.maxConnections(), l.maxPublishPerSecond(), perSecond, l.maxPayloadBytes(),
                        l.maxPresenceMembers(), l.maxUserInfoBytes()),
                app.features(), app.webhooks(), app.previousSecret(), app.previousSecretValidUntil());
    }
}
