package io.herald.core.broker;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The local fan-out's lanes ({@code herald.fanout.*}), see {@link FanoutLanes}.
 *
 * @param threads lanes, one thread each; {@code 0} means one per core (at least two)
 * @param queueCapacity broker messages waiting in one lane before further ones are refused:
 *        an in-memory publish is answered 503, a message from Redis is dropped and counted
 */
@ConfigurationProperties("herald.fanout")
public record FanoutProperties(
        @DefaultValue("0") int threads,
        @DefaultValue("16384") int queueCapacity) {

    public FanoutProperties {
        if (threads < 0) {
            throw new IllegalArgumentException("herald.fanout.threads must not be negative");
        }
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("herald.fanout.queue-capacity must be positive");
        }
    }

    /** The lanes these properties describe, woken by {@code waker}. */
    public FanoutLanes lanes(FanoutLanes.Waker waker) {
        return new FanoutLanes("herald-fanout", threads == 0 ? FanoutLanes.DEFAULT_THREADS : threads, queueCapacity,
                waker);
    }
}
