package io.herald.publish.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * A webhook endpoint for tests: a Reactor Netty server on a free port that records every request
 * (path, headers, body, the status it got) and answers each path as told: a status, or never (hang).
 */
final class TestReceiver implements AutoCloseable {

    /** Answer never: the request hangs until the client gives up. */
    static final int HANG = -1;

    /** A request received; {@code status} is what it was answered ({@link #HANG}: nothing). */
    record Request(String path, Map<String, String> headers, String body, int status) {

        String header(String name) {
            return headers.get(name.toLowerCase());
        }

        /** Whether it was answered 2XX: the dispatcher delivered what it carried. */
        boolean accepted() {
            return status >= 200 && status < 300;
        }
    }

    private final LoopResources loops = LoopResources.create("test-receiver", 1, true);
    private final DisposableServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    /** Per path, how many more requests get the "fail first" status before the path answers normally. */
    private final Map<String, AtomicInteger> failFirst = new ConcurrentHashMap<>();
    private final Map<String, Integer> failFirstStatus = new ConcurrentHashMap<>();

    TestReceiver() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .runOn(loops)
                .handle((request, response) -> request.receive().aggregate().asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .flatMap(body -> {
                            String path = request.path().isEmpty() ? "/" : "/" + request.path();
                            Map<String, String> headers = request.requestHeaders().entries().stream()
                                    .collect(Collectors.toMap(e -> e.getKey().toLowerCase(), Map.Entry::getValue,
                                            (a, b) -> a));
                            int status = statusFor(path);
                            requests.add(new Request(path, headers, body, status));
                            if (status == HANG) {
                                return Mono.never();
                            }
                            return response.status(status).send().then();
                        }))
                .bindNow();
    }

    private int statusFor(String path) {
        AtomicInteger failures = failFirst.get(path);
        if (failures != null && failures.getAndDecrement() > 0) {
            return failFirstStatus.get(path);
        }
        return answers.getOrDefault(path, 200);
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** Every request to {@code path} gets {@code status} (or {@link #HANG}). */
    void answer(String path, int status) {
        answers.put(path, status);
    }

    /** The next {@code times} requests to {@code path} get {@code status}; then the usual answer. */
    void failFirst(String path, int times, int status) {
        failFirstStatus.put(path, status);
        failFirst.put(path, new AtomicInteger(times));
    }

    List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.disposeNow();
        loops.disposeLater(java.time.Duration.ZERO, java.time.Duration.ofSeconds(5)).block();
    }
}
