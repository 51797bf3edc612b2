package io.herald.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

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
        this((request, response) -> request.receive().then(Mono.delay(delay))
                .then(response.status(status).header("Content-Type", "application/json")
                        .sendString(Mono.just("{}")).then()));
    }

    /** A service that answers every request with a server-sent event stream of {@code events} events, one per {@code every}. */
    static FakeService eventStream(int events, Duration every) {
        return new FakeService((request, response) -> response.status(200)
                .header("Content-Type", "text/event-stream")
                .sendString(Flux.interval(every).take(events).map(i -> "event: tick\ndata: " + i + "\n\n"))
                .then());
    }

    private FakeService(BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> answer) {
        server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
            if (request.uri().equals("/actuator/health")) {
                return response.status(200).sendString(Mono.just("{\"status\":\"UP\"}")).then();
            }
            Map<String, String> headers = request.requestHeaders().entries().stream()
                    .collect(Collectors.toMap(e -> e.getKey().toLowerCase(), Map.Entry::getValue, (a, b) -> a + ", " + b));
            received.add(new Received(request.method().name(), request.uri(), headers));
            return answer.apply(request, response);
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
