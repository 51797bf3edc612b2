package io.herald.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.web.HttpServerProperties;
import io.netty.channel.ChannelOption;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** {@code herald.http.tcp-no-delay}: bound from configuration and set on every accepted connection. */
class TcpNoDelayTest {

    @Test
    void isOnUnlessConfiguredOff() {
        assertThat(bind(Map.of()).tcpNoDelay()).isTrue();
        assertThat(bind(Map.of("herald.http.tcp-no-delay", "false")).tcpNoDelay()).isFalse();
        assertThat(HttpServerProperties.DEFAULTS.tcpNoDelay()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void acceptedConnectionsGetTheConfiguredOption(boolean noDelay) throws Exception {
        HttpServerProperties properties = new HttpServerProperties(Duration.ofSeconds(10), Duration.ofSeconds(60),
                false, noDelay);
        CompletableFuture<Boolean> seen = new CompletableFuture<>();
        // the opposite of what is configured first, so that either case fails unless the customizer sets it
        HttpServer http = HttpServer.create().host("127.0.0.1").port(0)
                .childOption(ChannelOption.TCP_NODELAY, !noDelay)
                .doOnConnection(connection -> seen.complete(connection.channel().config().getOption(ChannelOption.TCP_NODELAY)))
                .route(routes -> routes.get("/hello", (request, response) -> response.sendString(Mono.just("hi"))));
        DisposableServer server = new HttpServerConfiguration().heraldTcpNoDelay(properties).apply(http).bindNow();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(noDelay);
        } finally {
            server.disposeNow();
        }
    }

    private static HttpServerProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("herald.http", HttpServerProperties.class);
    }
}
