package io.herald.core.protocol;

/** A frame that cannot be understood; the connection answers with {@code pusher:error} and lives on. */
public class ProtocolException extends RuntimeException {

    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
