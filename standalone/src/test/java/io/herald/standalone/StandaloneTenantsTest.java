package io.herald.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.client.Pusher;
import com.pusher.client.channel.User;
import com.pusher.rest.data.PresenceUser;
import com.sun.net.httpserver.HttpServer;
import io.herald.core.signature.Hmac;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.PresenceRecorder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The standalone server with a second app declared only in configuration (as an operator would,
 * without code): its own limits, feature flags and a webhook URL. Presence works in memory, and
 * the webhook arrives signed with that app's secret.
 */
class StandaloneTenantsTest {

    static StandaloneServer server;
    static HttpServer receiver;
    static final List<String> webhooks = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst("X-Pusher-Signature");
            if (Hmac.constantTimeEquals(Hmac.sha256Hex("shop-secret", body), signature)) {
                webhooks.add(new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        // A list set in one place replaces the whole list of application.yml: the demo app is listed again.
        server = new StandaloneServer(Map.of(
                "herald.apps[0].id", "demo-app", "herald.apps[0].key", "demo-key", "herald.apps[0].secret", "demo-secret",
                "herald.apps[1].id", "shop", "herald.apps[1].key", "shop-key", "herald.apps[1].secret", "shop-secret",
                "herald.apps[1].client-events", "true", "herald.apps[1].max-presence-members", "50",
                "herald.apps[1].webhooks[0].url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks",
                "herald.apps[1].webhooks[0].events", "member_added,channel_occupied"));
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.stop(0);
    }

    @Test
    void aSecondAppFromConfigurationGetsPresenceAndSignedWebhooks() throws Exception {
        com.pusher.rest.Pusher signer = new com.pusher.rest.Pusher("shop", "shop-key", "shop-secret");
        OfficialClient official = OfficialClient.connect("shop-key", server.port,
                options -> options.setChannelAuthorizer((channel, socket) -> signer.authenticate(socket, channel,
                        new PresenceUser("42", Map.of("name", "Ann")))));
        Pusher client = official.pusher;
        try {
            PresenceRecorder recorder = new PresenceRecorder();
            client.subscribePresence("presence-shop", recorder);
            Set<User> present = recorder.members.get(15, TimeUnit.SECONDS);
            assertThat(present).extracting(User::getId).containsExactly("42");
            assertThat(present.iterator().next().getInfo()).contains("Ann");
            await().atMost(Duration.ofSeconds(30)).until(() -> webhooks.stream()
                    .anyMatch(w -> w.contains("\"member_added\"") && w.contains("\"presence-shop\"")));
            assertThat(webhooks).anyMatch(w -> w.contains("\"channel_occupied\""));
        }
        finally {
            client.disconnect();
        }
    }
}
