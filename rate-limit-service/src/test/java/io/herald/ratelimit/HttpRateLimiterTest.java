package io.herald.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.RateLimiter;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import io.herald.core.ratelimit.RateLimiterContractTest;
import io.herald.core.ratelimit.http.HttpRateLimiter;
import io.herald.core.testing.TestClock;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * The port's contract through rate-limit-service: the real service on a random port (in-memory
 * state, its clock the test's hand-moved one), called by {@link HttpRateLimiter}.
 */
class HttpRateLimiterTest extends RateLimiterContractTest {

    static final String TOKEN = "internal-token-never-logged-5f1e";

    private ConfigurableApplicationContext service;
    private URI url;

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Override
    protected RateLimiter newLimiter(TestClock clock) {
        if (service != null) {
            service.close();
        }
        service = RateLimitServiceApplication.builder()
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("heraldClock", (Clock) clock))
                .run("--server.port=0", "--herald.ratelimit.internal-token=" + TOKEN);
        url = URI.create("http://127.0.0.1:" + service.getEnvironment().getProperty("local.server.port"));
        return new HttpRateLimiter(url, TOKEN, Duration.ofSeconds(30));
    }

    @Test
    void aWrongTokenIsRefusedWith401() {
        RateLimiter wrong = new HttpRateLimiter(url, "not-the-token", Duration.ofSeconds(30));

        assertThatThrownBy(() -> wrong.acquire(Quota.perSecond("app-1", Resource.API_REQUESTS, 1, 1), 1)
                .block(TIMEOUT))
                .isInstanceOf(WebClientResponseException.Unauthorized.class)
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void withTheServiceDownALeasedLimiterFallsBackToItsLocalShare() {
        LeasedRateLimiter node = new LeasedRateLimiter(limiter, clock, Duration.ofSeconds(1), Duration.ofSeconds(1),
                CircuitBreaker.ofDefaults("test"), 2);
        Quota quota = Quota.perSecond("app-1", Resource.PUBLISH_MESSAGES, 100, 40);
        service.close();
        service = null;

        long admitted = 0;
        for (int i = 0; i < 100; i++) {
            admitted += node.admit(quota, 1).block(TIMEOUT).admitted() ? 1 : 0;
        }

        // Half the burst: this node's share of 2.
        assertThat(admitted).isEqualTo(20);
        assertThat(node.degraded()).isTrue();
    }
}
