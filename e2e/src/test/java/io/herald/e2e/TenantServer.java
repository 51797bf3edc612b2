package io.herald.e2e;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.PresenceUser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herald.core.signature.ChannelSignatures;
import io.herald.core.signature.Hmac;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tenant's own server, as a real app would run it: a channel authorization endpoint that
 * signs with pusher-http-java's {@code authenticate} (the official server library), and a
 * webhook receiver that checks {@code X-Pusher-Signature} and records the events.
 */
final class TenantServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    final HttpServer http;
    final Pusher signer;
    final String key;
    final String secret;
    /** Webhook events whose signature verified, as {@code name:channel[:user_id|:event]}. */
    final List<String> webhookEvents = new CopyOnWriteArrayList<>();
    /** Webhook requests whose signature did not verify (must stay empty). */
    final List<String> badSignatures = new CopyOnWriteArrayList<>();

    TenantServer(String appId, String key, String secret) throws IOException {
        this.key = key;
        this.secret = secret;
        this.signer = new Pusher(appId, key, secret);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newFixedThreadPool(4));
        http.createContext("/pusher/auth", this::authorize);
        http.createContext("/pusher/user-auth", this::authenticateUser);
        http.createContext("/webhooks", this::webhook);
        http.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    /** pusher-java-client's HttpChannelAuthorizer posts socket_id and channel_name, form-encoded; the user id comes as a query parameter. */
    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
        String channel = form.get("channel_name");
        String socket = form.get("socket_id");
        String body = channel.startsWith("presence-")
                ? signer.authenticate(socket, channel, new PresenceUser(query.get("user"), Map.of("name", query.get("user"))))
                : signer.authenticate(socket, channel);
        respond(exchange, 200, body);
    }

    /**
     * User authentication for {@code pusher:signin}. pusher-http-java 1.3.4 has no helper for it,
     * so this signs the documented string ({@code socket_id::user::user_data}) itself.
     */
    private void authenticateUser(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
        String userData = "{\"id\":\"" + query.get("user") + "\"}";
        String auth = ChannelSignatures.token(key, secret, ChannelSignatures.userStringToSign(form.get("socket_id"), userData));
        respond(exchange, 200, JSON.writeValueAsString(Map.of("auth", auth, "user_data", userData)));
    }

    private void webhook(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String signature = exchange.getRequestHeaders().getFirst("X-Pusher-Signature");
        boolean keyOk = key.equals(exchange.getRequestHeaders().getFirst("X-Pusher-Key"));
        if (!keyOk || !Hmac.constantTimeEquals(Hmac.sha256Hex(secret, body), signature)) {
            badSignatures.add(new String(body, StandardCharsets.UTF_8));
            respond(exchange, 401, "bad signature");
            return;
        }
        JsonNode root = JSON.readTree(body);
        for (JsonNode event : root.get("events")) {
            StringBuilder entry = new StringBuilder(event.get("name").asString()).append(':')
                    .append(event.get("channel").asString());
            if (event.has("user_id") && !event.get("user_id").isNull()) {
                entry.append(':').append(event.get("user_id").asString());
            }
            if (event.has("event") && !event.get("event").isNull()) {
                entry.append(':').append(event.get("event").asString());
            }
            webhookEvents.add(entry.toString());
        }
        respond(exchange, 200, "{}");
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> map = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return map;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return map;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
