package io.herald.gateway;

import io.herald.core.app.App;
import io.herald.core.app.AppJson;
import io.herald.core.protocol.PusherCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * auth-service's internal app views as the gateway reads them ({@code GET /internal/v1/apps/by-id/{id}}:
 * the public JSON of {@link AppJson}, and the change stream, pings only), for the apps given, with
 * the internal token checked. The real auth-service brings Spring Security, which must not share
 * the gateway's classpath; the e2e cluster runs the gateway against the real one, in its own process.
 */
final class FakeAuthService implements AutoCloseable {

    static final String TOKEN = "gateway-test-internal-token-3c9a";

    private final DisposableServer server;

    FakeAuthService(List<App> apps) {
        Map<String, App> byId = apps.stream().collect(Collectors.toMap(App::id, Function.identity()));
        server = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
                .get("/actuator/health", (request, response) -> response.sendString(Mono.just("{\"status\":\"UP\"}")))
                .get("/internal/v1/apps/changes", (request, response) -> response
                        .header("Content-Type", "text/event-stream")
                        .sendString(Flux.interval(Duration.ZERO, Duration.ofSeconds(1)).map(i -> "event: ping\ndata: -\n\n")))
                .get("/internal/v1/apps/by-id/{id}", (request, response) -> {
                    if (!("Bearer " + TOKEN).equals(request.requestHeaders().get("Authorization"))) {
                        return response.status(401).send();
                    }
                    App app = byId.get(request.param("id"));
                    if (app == null) {
                        return response.status(404).send();
                    }
                    return response.header("Content-Type", "application/json").sendByteArray(Mono.just(
                            PusherCodec.json().writeValueAsBytes(AppJson.toJson(app.withoutSecrets(), false))));
                }))
                .bindNow();
    }

    String uri() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
