package io.herald.core.redis;

/**
 * The state Redis ({@code herald.redis.state}) cannot be reached now, or did not answer in time;
 * the caller may retry later. Shards report their outages as the port's own error instead
 * ({@code BrokerUnavailableException}, {@code ChannelStateUnavailableException}).
 */
public class RedisUnavailableException extends RuntimeException {

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
