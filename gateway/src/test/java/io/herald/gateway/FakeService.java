package io.herald.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A stand-in for a Herald service behind the gateway: healthy ({@code /actuator/health} answers
 * 200), it records every other request it receives (method, raw URI, headers) and answers each
 * with a fixed status after a fixed delay.
 */
final class FakeService implements AutoCloseable {

    /** A request as the service received it. */
    record Received(String method, String uri, Map<String, String> headers) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final DisposableServer server;
    private final String uri;

    FakeService(int status, Duration delay) {
        server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
            if (request.uri().equals("/actuator/health")) {
                return response.status(200).sendString(Mono.just("{\"status\":\"UP\"}")).then();
            }
            Map<String, String> headers = request.requestHeaders().entries().stream()
                    .collect(Collectors.toMap(e -> e.getKey().toLowerCase(), Map.Entry::getValue, (a, b) -> a + ", " + b));
            received.add(new Received(request.method().name(), request.uri(), headers));
            return request.receive().then(Mono.delay(delay))
                    .then(response.status(status).header("Content-Type", "application/json")
                            .sendString(Mono.just("{}")).then());
        }).bindNow();
        uri = "http://127.0.0.1:" + server.port();
    }

    /** Its address; still the same after {@link #close()} (a port nothing listens on). */
    String uri() {
        return uri;
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
