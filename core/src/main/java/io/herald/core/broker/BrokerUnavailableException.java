package io.herald.core.broker;

/** The shard that carries a channel cannot be reached now; the caller may retry later. */
public class BrokerUnavailableException extends RuntimeException {

    private final int shard;

    public BrokerUnavailableException(int shard, String message, Throwable cause) {
        super(message, cause);
        this.shard = shard;
    }

    public int shard() {
        return shard;
    }
}
