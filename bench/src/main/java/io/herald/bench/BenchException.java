package io.herald.bench;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;

/** A failure that ends the run with a message meant for the person running it. */
final class BenchException extends RuntimeException {

    BenchException(String message) {
        super(message);
    }

    BenchException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A short, human explanation of a network failure. */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof BenchException) {
                return t.getMessage();
            }
            if (t instanceof ConnectException) {
                return "connection refused (" + t.getMessage() + ")";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host (" + t.getMessage() + ")";
            }
            if (t instanceof WebSocketClientHandshakeException) {
                return "WebSocket handshake rejected: " + t.getMessage();
            }
            if (t instanceof TimeoutException || t instanceof io.netty.handler.timeout.TimeoutException) {
                return "timed out";
            }
            if (t instanceof PrematureCloseException || t instanceof AbortedException
                    || t instanceof ClosedChannelException) {
                return "connection closed by the server";
            }
        }
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
