package io.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.Broker;
import io.herald.core.testing.RedisServer;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * A publish in flight when the node is told to stop (its context closed, as SIGTERM does) is
 * finished and answered: Spring Boot's graceful shutdown (the default, kept by Herald) stops
 * accepting connections and waits for the requests in flight.
 */
class GracefulShutdownTest {

    static final String APP = "app-graceful";
    static final String KEY = "key-graceful";
    static final String SECRET = "secret-graceful-3c9e";

    @Test
    void aPublishInFlightAtShutdownIsAnswered() throws Exception {
        CompletableFuture<Void> entered = new CompletableFuture<>();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        try (RedisServer shard = RedisServer.start()) {
            ConfigurableApplicationContext context = PublishServiceApplication.builder()
                    .initializers(c -> c.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
                        @Override
                        public Object postProcessAfterInitialization(Object bean, String name) {
                            return bean instanceof Broker broker ? gated(broker, entered, gate) : bean;
                        }
                    }))
                    .run("--server.port=0", "--herald.redis.shards[0]=" + shard.uri(),
                            "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                            "--herald.apps[0].id=" + APP, "--herald.apps[0].key=" + KEY,
                            "--herald.apps[0].secret=" + SECRET);
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            CompletableFuture<HttpResponse<String>> publish = CompletableFuture.supplyAsync(() -> post(port));
            entered.get(30, TimeUnit.SECONDS);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
            // The server stopped accepting connections: the shutdown is under way, the publish still held.
            await().atMost(Duration.ofSeconds(30)).until(() -> !accepts(port));
            // Held a while longer than an immediate shutdown lets a request live (Reactor Netty's
            // disposeNow closes the remaining connections within 3 s): only a graceful one answers it.
            Thread.sleep(5000);
            assertThat(publish).isNotDone();
            gate.complete(null);

            HttpResponse<String> answer = publish.get(30, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            closing.get(60, TimeUnit.SECONDS);
        }
    }

    /** The broker, with each publish held until {@code gate} completes. */
    private static Broker gated(Broker broker, CompletableFuture<Void> entered, CompletableFuture<Void> gate) {
        return (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] { Broker.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("publish")) {
                        entered.complete(null);
                        return Mono.fromFuture(gate).then(Mono.defer(() -> broker.publish((io.herald.core.broker.Envelope) args[0])));
                    }
                    try {
                        return method.invoke(broker, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static HttpResponse<String> post(int port) {
        String body = JsonMapper.builder().build().writeValueAsString(java.util.Map.of("name", "e", "channel", "c",
                "data", "{}"));
        URI uri = new io.herald.publish.testing.SignedRequests("http://127.0.0.1:" + port, KEY, SECRET)
                .signedUri("/apps/" + APP + "/events", body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        System.currentTimeMillis() / 1000, SECRET);
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
