package io.herald.edge;

/**
 * A subscribe refused before it reached the channel state: this node already has
 * {@code herald.edge.max-state-commands-in-flight} channel-state commands in flight
 * ({@link StateCommandLimit}). Nothing was recorded; the client may retry.
 */
final class StateBusyException extends RuntimeException {

    StateBusyException(int max) {
        super("this node already has " + max + " channel-state commands in flight", null, false, false);
    }
}
