package io.herald.core.state;

/**
 * The store of a channel's state is reachable but did not answer in time (its Redis shard or this
 * node is overloaded). Unlike a refused call, the change may or may not have been made: a caller
 * that asked for a change must undo it (the state's leave is idempotent) or make sure it is
 * undone later. A {@link ChannelStateUnavailableException}, so callers that only need "retry
 * later" treat both alike; callers that tell the user distinguish it ("busy", not "down").
 */
public class ChannelStateTimeoutException extends ChannelStateUnavailableException {

    public ChannelStateTimeoutException(int shard, String message, Throwable cause) {
        super(shard, message, cause);
    }
}
