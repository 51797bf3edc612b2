package io.herald.publish.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.testing.TestClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sender's circuit breaker on a hand-moved clock: when an endpoint that stays down is probed
 * again. Nothing here waits for real time to pass.
 */
class WebhookSenderTest {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] BODY = "{\"time_ms\":1,\"events\":[]}".getBytes(StandardCharsets.UTF_8);

    private final TestReceiver receiver = new TestReceiver();
    private final TestClock clock = new TestClock();
    /** Opens after 2 failures of the last 2; probes after 1 s, doubling up to 4 s. */
    private final WebhookDispatcherProperties properties = WebhookDispatcherTest.properties(20, Duration.ofMillis(50),
            Duration.ofMinutes(5), Duration.ofSeconds(4), new WebhookDispatcherProperties.CircuitBreaker(50, 2, 2,
                    Duration.ofSeconds(1), Duration.ofSeconds(4)));
    private final WebhookSender sender = new WebhookSender(properties, clock);
    private final URI url = receiver.url("/down");

    @AfterEach
    void tearDown() {
        sender.close();
        receiver.close();
    }

    /** Sends once; returns the failure, or null on success. */
    private WebhookDeliveryException send() {
        return catchThrowableOfType(WebhookDeliveryException.class,
                () -> sender.send(url, "key", "secret", BODY).block(TIMEOUT));
    }

    @Test
    void anEndpointThatStaysDownIsProbedAfterAWaitThatDoublesUpToItsCapAndOneSuccessCloses() {
        receiver.answer("/down", 503);
        assertThat(send().status()).isEqualTo(503);
        assertThat(send().status()).isEqualTo(503);
        assertThat(sender.circuitState(url)).isEqualTo(CircuitBreaker.State.OPEN);

        for (Duration wait : List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(4))) {
            int requests = receiver.requests("/down").size();
            clock.advance(wait.minusMillis(1));
            assertThat(send().wasRefused()).as("refused before %s", wait).isTrue();
            assertThat(receiver.requests("/down")).hasSize(requests);

            // resilience4j lets the probe through once the wait is over, strictly after it
            clock.advance(Duration.ofMillis(2));
            WebhookDeliveryException probe = send();
            assertThat(probe.wasRefused()).as("probed after %s", wait).isFalse();
            assertThat(probe.status()).isEqualTo(503);
            assertThat(receiver.requests("/down")).hasSize(requests + 1);
            assertThat(sender.circuitState(url)).isEqualTo(CircuitBreaker.State.OPEN);
        }

        receiver.answer("/down", 200);
        clock.advance(Duration.ofSeconds(4).plusMillis(1));
        assertThat(send()).isNull();
        assertThat(sender.circuitState(url)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(send()).isNull();
    }
}
