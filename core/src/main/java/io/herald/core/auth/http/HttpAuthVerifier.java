package io.herald.core.auth.http;

import io.herald.core.auth.AuthUnavailableException;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.protocol.PusherCodec;
import java.util.Objects;
import org.springframework.http.MediaType;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Verifies signatures by asking auth-service ({@code POST /internal/v1/channel-auth} and
 * {@code /user-auth}), so the edge never holds an app secret.
 *
 * <p>Each call has the client's timeout and goes through its circuit breaker
 * ({@link AuthServiceClient#call}). Fail closed: when auth-service is down, slow, refuses the
 * internal token or the circuit is open, the Mono errors with {@link AuthUnavailableException}
 * (the edge answers with a retryable error); a signature is accepted only on auth-service's
 * explicit {@code "ok": true}.
 */
public final class HttpAuthVerifier implements AuthVerifier {

    private final AuthServiceClient client;

    public HttpAuthVerifier(AuthServiceClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public Mono<Verdict> authorizeChannel(String appId, String socketId, String channel, String auth,
            String channelData) {
        ObjectNode body = PusherCodec.json().createObjectNode();
        body.put("appId", appId);
        body.put("socketId", socketId);
        body.put("channel", channel);
        body.put("auth", auth);
        if (channelData != null) {
            body.put("channelData", channelData);
        }
        return post("/internal/v1/channel-auth", body, "channel authorization");
    }

    @Override
    public Mono<Verdict> authenticateUser(String appId, String socketId, String userData, String auth) {
        ObjectNode body = PusherCodec.json().createObjectNode();
        body.put("appId", appId);
        body.put("socketId", socketId);
        body.put("userData", userData);
        body.put("auth", auth);
        return post("/internal/v1/user-auth", body, "user authentication");
    }

    private Mono<Verdict> post(String path, ObjectNode body, String what) {
        Mono<Verdict> request = client.webClient().post().uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .bodyValue(PusherCodec.json().writeValueAsBytes(body))
                .retrieve()
                .bodyToMono(byte[].class)
                .map(HttpAuthVerifier::verdict)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("empty answer")));
        return client.call(request, what);
    }

    static Verdict verdict(byte[] body) {
        JsonNode node = PusherCodec.json().readTree(body);
        JsonNode ok = node.get("ok");
        if (ok == null || !ok.isBoolean()) {
            throw new IllegalStateException("answer without a boolean \"ok\"");
        }
        if (ok.asBoolean()) {
            return Verdict.OK;
        }
        JsonNode reason = node.get("reason");
        return Verdict.refused(reason != null && reason.isString() ? reason.asString() : "Refused by auth-service");
    }
}
