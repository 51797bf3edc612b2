package io.herald.core.redis;

import io.lettuce.core.RedisCommandExecutionException;

/**
 * How a failure of a Redis call becomes Herald's "unavailable" error: the one rule every Redis
 * adapter follows, applied by {@link RedisLink#run}.
 *
 * <p>A server that is not connected, a lost connection, a timeout: the adapter's unavailable
 * error (its port's type, so callers answer 503 with {@code Retry-After} or retry later). An
 * error Redis itself answered ({@link RedisCommandExecutionException}: a bug in a script, a
 * wrong type, {@code NOGROUP}, {@code BUSYGROUP}) means the server is up, and is passed on as it
 * is, so the adapter can handle it and bugs are not reported as outages.
 *
 * <p>A timeout ({@code RedisCommandTimeoutException}, the cause of the error) is "unavailable"
 * for this rule, but its message says the target did not answer in time, and an adapter may
 * give it its own subtype (the channel state's {@code ChannelStateTimeoutException}): the
 * command may have run, and the server is slow rather than down.
 */
@FunctionalInterface
public interface RedisUnavailable {

    /** Makes the adapter's error; {@code message} names the target without credentials. */
    RuntimeException error(String message, Throwable cause);

    /** The error of the state Redis: a {@link RedisUnavailableException}. */
    RedisUnavailable STATE = RedisUnavailableException::new;

    /** Whether {@code failure} means "unavailable" rather than an answer from Redis. */
    static boolean isUnavailable(Throwable failure) {
        return !(failure instanceof RedisCommandExecutionException);
    }

    /** The unavailable error of one shard, for adapters whose error type carries the shard's index. */
    @FunctionalInterface
    interface OfShard {

        RuntimeException error(int shard, String message, Throwable cause);
    }
}
