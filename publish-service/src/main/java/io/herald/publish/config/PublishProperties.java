package io.herald.publish.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the Pusher HTTP API ({@code herald.publish.*}). The defaults are Pusher's.
 *
 * @param maxRequestSize the largest request body accepted; larger requests get 413 before they are parsed
 * @param retryAfter the {@code Retry-After} sent with a 503 when a channel's Redis shard is unavailable
 * @param timestampWindow how far a request's {@code auth_timestamp} may be from server time (Pusher: 600 s)
 * @param maxChannelsPerEvent the most channels one event may be published to (Pusher: 100)
 * @param maxBatchSize the most events one {@code batch_events} request may carry (Pusher: 10)
 * @param apiRequestLimit whether this node enforces each app's API requests per second
 *        ({@code maxApiRequestsPerSecond}); {@code false} on publish nodes behind a gateway that
 *        enforces it (docs/gateway.md), so that no request is counted twice
 */
@ConfigurationProperties("herald.publish")
public record PublishProperties(
        @DefaultValue("1MB") DataSize maxRequestSize,
        @DefaultValue("1s") Duration retryAfter,
        @DefaultValue("600s") Duration timestampWindow,
        @DefaultValue("100") int maxChannelsPerEvent,
        @DefaultValue("10") int maxBatchSize,
        @DefaultValue("true") boolean apiRequestLimit) {

    public PublishProperties {
        List<String> problems = new ArrayList<>();
        if (maxRequestSize == null || maxRequestSize.toBytes() <= 0 || maxRequestSize.toBytes() > Integer.MAX_VALUE) {
            problems.add("herald.publish.max-request-size must be between 1B and 2GB");
        }
        if (retryAfter == null || retryAfter.isNegative() || retryAfter.isZero()) {
            problems.add("herald.publish.retry-after must be positive");
        }
        if (timestampWindow == null || timestampWindow.isNegative() || timestampWindow.isZero()) {
            problems.add("herald.publish.timestamp-window must be positive");
        }
        if (maxChannelsPerEvent <= 0) {
            problems.add("herald.publish.max-channels-per-event must be positive");
        }
        if (maxBatchSize <= 0) {
            problems.add("herald.publish.max-batch-size must be positive");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid publish configuration: " + String.join("; ", problems));
        }
    }

    /** The defaults, as if nothing were configured. */
    public static PublishProperties defaults() {
        return new PublishProperties(DataSize.ofMegabytes(1), Duration.ofSeconds(1), Duration.ofSeconds(600), 100, 10, true);
    }

    /** {@link #retryAfter()} in whole seconds, rounded up, as the {@code Retry-After} header carries it. */
    public long retryAfterSeconds() {
        long seconds = retryAfter.toSeconds();
        return retryAfter.equals(Duration.ofSeconds(seconds)) ? seconds : seconds + 1;
    }
}
