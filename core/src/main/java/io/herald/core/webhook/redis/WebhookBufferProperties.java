package io.herald.core.webhook.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The per-node buffer of webhook events raised while the state Redis is unreachable
 * ({@code herald.webhooks.buffer.*}); see {@link WebhookOutageBuffer}.
 *
 * @param capacity the most webhook events one node keeps while the state Redis is unreachable;
 *        beyond it new ones are dropped and counted in {@code herald.webhooks.buffer.dropped}
 * @param retryInterval how often the oldest buffered event is retried while the state Redis is
 *        unreachable (each try fails at once while it is disconnected, so this costs nothing)
 * @param flushTimeout how long a node shutting down tries to write what is buffered; what is
 *        still buffered then is lost (and counted)
 */
@ConfigurationProperties("herald.webhooks.buffer")
public record WebhookBufferProperties(
        @DefaultValue("10000") int capacity,
        @DefaultValue("250ms") Duration retryInterval,
        @DefaultValue("5s") Duration flushTimeout) {

    /** The defaults. */
    public static final WebhookBufferProperties DEFAULTS = new WebhookBufferProperties(
            WebhookOutageBuffer.DEFAULT_CAPACITY, WebhookOutageBuffer.DEFAULT_RETRY_INTERVAL, Duration.ofSeconds(5));

    public WebhookBufferProperties {
        List<String> problems = new ArrayList<>();
        if (capacity < 1) {
            problems.add("herald.webhooks.buffer.capacity must be positive, was " + capacity);
        }
        if (retryInterval == null || retryInterval.toMillis() < 1) {
            problems.add("herald.webhooks.buffer.retry-interval must be at least 1ms, was " + retryInterval);
        }
        if (flushTimeout == null || flushTimeout.isNegative()) {
            problems.add("herald.webhooks.buffer.flush-timeout must not be negative, was " + flushTimeout);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
