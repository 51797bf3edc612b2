package io.herald.publish.webhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The webhook dispatcher ({@code herald.webhooks.dispatcher.*}): the role of publish-service that
 * sends queued webhook events to apps' endpoints. The defaults are Pusher's where Pusher documents
 * one (20 events or 250 ms per batch, 4 s to answer, retries for 5 minutes).
 *
 * @param enabled whether this process runs a dispatcher; several may run against one state Redis
 * @param batchMaxEvents the most events one request carries
 * @param batchWindow how long the first event of a batch waits for others before the batch is sent
 * @param requestTimeout how long an endpoint has to answer; no answer in time is a failed attempt
 * @param retryPeriod how long a batch is retried (from its first attempt) before it is given up
 * @param initialBackoff the wait after the first failed attempt; it doubles after each further one
 * @param maxBackoff the longest wait between two attempts
 * @param claimIdle how long events held by another dispatcher may go untouched (it refreshes its own
 *        every third of this) before this dispatcher presumes it dead and takes them over
 * @param maxInFlightEvents the most events this dispatcher holds in memory; at the bound it stops
 *        reading the queue until some are delivered or given up (events wait in the queue)
 * @param maxEventsPerEndpoint the most events held for one endpoint; more are left in the queue,
 *        unacknowledged, and taken up again after {@code claimIdle}
 * @param readBatchSize the most events one read of the queue takes
 * @param consumerName this dispatcher's name in the queue; empty means {@code $HOSTNAME} plus a random
 *        suffix, so that a restarted process never mistakes its predecessor's events for its own
 * @param circuitBreaker the circuit breaker kept per endpoint URL
 */
@ConfigurationProperties("herald.webhooks.dispatcher")
public record WebhookDispatcherProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("20") int batchMaxEvents,
        @DefaultValue("250ms") Duration batchWindow,
        @DefaultValue("4s") Duration requestTimeout,
        @DefaultValue("5m") Duration retryPeriod,
        @DefaultValue("1s") Duration initialBackoff,
        @DefaultValue("60s") Duration maxBackoff,
        @DefaultValue("60s") Duration claimIdle,
        @DefaultValue("10000") int maxInFlightEvents,
        @DefaultValue("2000") int maxEventsPerEndpoint,
        @DefaultValue("100") int readBatchSize,
        @DefaultValue("") String consumerName,
        @DefaultValue CircuitBreaker circuitBreaker) {

    public WebhookDispatcherProperties {
        List<String> problems = new ArrayList<>();
        String p = "herald.webhooks.dispatcher.";
        positive(problems, p + "batch-max-events", batchMaxEvents);
        positive(problems, p + "batch-window", batchWindow);
        positive(problems, p + "request-timeout", requestTimeout);
        positive(problems, p + "retry-period", retryPeriod);
        positive(problems, p + "initial-backoff", initialBackoff);
        positive(problems, p + "max-backoff", maxBackoff);
        positive(problems, p + "claim-idle", claimIdle);
        positive(problems, p + "max-in-flight-events", maxInFlightEvents);
        positive(problems, p + "max-events-per-endpoint", maxEventsPerEndpoint);
        positive(problems, p + "read-batch-size", readBatchSize);
        consumerName = consumerName == null ? "" : consumerName.trim();
        circuitBreaker = circuitBreaker == null ? CircuitBreaker.DEFAULTS : circuitBreaker;
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid webhook dispatcher configuration: "
                    + String.join("; ", problems));
        }
    }

    /** The defaults, as if nothing were configured. */
    public static WebhookDispatcherProperties defaults() {
        return new WebhookDispatcherProperties(true, 20, Duration.ofMillis(250), Duration.ofSeconds(4),
                Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60), 10_000,
                2000, 100, "", CircuitBreaker.DEFAULTS);
    }

    private static void positive(List<String> problems, String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            problems.add(name + " must be positive");
        }
    }

    private static void positive(List<String> problems, String name, int value) {
        if (value <= 0) {
            problems.add(name + " must be positive");
        }
    }

    /**
     * The circuit breaker of each endpoint URL ({@code herald.webhooks.dispatcher.circuit-breaker.*}).
     * While open, no request goes to the endpoint: retries of batches that failed there fail at once
     * (recorded as failures) and are retried on their own backoff; new batches wait, unsent, for the
     * endpoint to recover. After a wait it lets one trial request (a probe) through: success closes
     * it, failure opens it again for twice the previous wait, up to {@code maxWaitInOpen}.
     *
     * @param failureRateThreshold the percentage of failed attempts, among the last {@code slidingWindow}, that opens it
     * @param slidingWindow how many recent attempts are counted
     * @param minimumCalls how many attempts must have been made before the rate counts
     * @param waitInOpen how long it stays open the first time before a probe; it doubles after each failed probe
     * @param maxWaitInOpen the longest it stays open before a probe, however long the endpoint has been down;
     *        never shorter than {@code waitInOpen} (a shorter value is taken as {@code waitInOpen})
     */
    public record CircuitBreaker(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("10") int slidingWindow,
            @DefaultValue("5") int minimumCalls,
            @DefaultValue("1s") Duration waitInOpen,
            @DefaultValue("2s") Duration maxWaitInOpen) {

        /*
         * Why 1 s doubling to 2 s (it was a fixed 30 s): a tenant that fixes its endpoint sees new
         * events by the next probe, so this wait is how late they can be after an outage. One probe
         * every 2 s at most, one request at a time, is no load for a dead endpoint, and every other
         * attempt to it fails at once without a request.
         */
        public static final CircuitBreaker DEFAULTS = new CircuitBreaker(50, 10, 5, Duration.ofSeconds(1),
                Duration.ofSeconds(2));

        public CircuitBreaker {
            List<String> problems = new ArrayList<>();
            String p = "herald.webhooks.dispatcher.circuit-breaker.";
            if (failureRateThreshold <= 0 || failureRateThreshold > 100) {
                problems.add(p + "failure-rate-threshold must be in (0, 100]");
            }
            positive(problems, p + "sliding-window", slidingWindow);
            positive(problems, p + "minimum-calls", minimumCalls);
            positive(problems, p + "wait-in-open", waitInOpen);
            positive(problems, p + "max-wait-in-open", maxWaitInOpen);
            if (problems.isEmpty() && maxWaitInOpen.compareTo(waitInOpen) < 0) {
                // A configuration from before max-wait-in-open (wait-in-open: 30s) keeps its fixed wait.
                maxWaitInOpen = waitInOpen;
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid webhook dispatcher configuration: "
                        + String.join("; ", problems));
            }
        }
    }
}
