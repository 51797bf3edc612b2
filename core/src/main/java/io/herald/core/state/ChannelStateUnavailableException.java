package io.herald.core.state;

/**
 * The store of a channel's state (or of a cache channel's last event) cannot be reached now, for
 * example because its Redis shard is down; the caller may retry later.
 */
public class ChannelStateUnavailableException extends RuntimeException {

    private final int shard;

    public ChannelStateUnavailableException(int shard, String message, Throwable cause) {
        super(message, cause);
        this.shard = shard;
    }

    /** The index of the unreachable shard. */
    public int shard() {
        return shard;
    }
}
