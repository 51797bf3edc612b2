package io.herald.core.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Spring Security's chain is skipped for plain Pusher paths only: anything else, and anything that
 * only looks like a Pusher path (encoded characters, dot segments, empty segments, path
 * parameters), still goes through it and its firewall.
 */
class PusherPathsSecurityBypassTest {

    /** A stand-in for the real proxy that only counts the requests it is asked about. */
    static final class CountingProxy extends WebFilterChainProxy {

        final AtomicInteger calls = new AtomicInteger();

        CountingProxy() {
            super(List.of());
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            calls.incrementAndGet();
            return Mono.empty();
        }
    }

    static int securityCallsFor(String rawPath) {
        CountingProxy security = new CountingProxy();
        AtomicInteger handler = new AtomicInteger();
        WebFilterChain chain = exchange -> Mono.fromRunnable(handler::incrementAndGet);
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post(rawPath).build());
        StepVerifier.create(new PusherPathsSecurityBypass(security).filter(exchange, chain))
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        // exactly one of the two saw the request
        assertThat(security.calls.get() + handler.get()).isEqualTo(1);
        return security.calls.get();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/apps/demo-app/events", "/apps/demo-app/batch_events", "/apps/demo-app/channels",
            "/apps/demo-app/channels/presence-room.1", "/apps/my_app/users/u-1/terminate_connections",
            "/app/demo-key" })
    void plainPusherPathsSkipSpringSecurity(String path) {
        assertThat(PusherPaths.isPlain(path)).isTrue();
        assertThat(securityCallsFor(path)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/admin/apps", "/internal/v1/apps/by-key/demo-key", "/dashboard", "/usage/demo-app",
            "/", "/apps", "/apps/", "/app/", "/application", "/apps2/demo-app/events",
            "/apps/..%2Fadmin/apps", "/apps/%2e%2e/admin/apps", "/app/../admin/apps", "/apps/./admin",
            "/apps/demo-app/.hidden", "/apps//admin", "/apps/demo-app/events;jsessionid=1", "/apps/demo%20app/events",
            "/apps/demo-app\\events", "/APPS/demo-app/events" })
    void everythingElseGoesThroughSpringSecurity(String path) {
        assertThat(PusherPaths.isPlain(path)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/admin/apps", "/dashboard", "/apps/..%2Fadmin/apps", "/apps/demo-app/events;x=1" })
    void nonPusherRequestsAreHandedToTheProxy(String path) {
        assertThat(securityCallsFor(path)).isEqualTo(1);
    }
}
