package io.herald.core.error;

import java.time.Duration;
import java.util.Objects;

/**
 * A failed HTTP API request: the status from {@link ApiError} and a message meant for the
 * developer who sent it. Never carries a secret.
 */
public class ApiException extends RuntimeException {

    private final ApiError error;
    private final Duration retryAfter;

    public ApiException(ApiError error, String message) {
        this(error, message, null, null);
    }

    public ApiException(ApiError error, String message, Duration retryAfter, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause, false, false);
        this.error = Objects.requireNonNull(error, "error");
        this.retryAfter = retryAfter;
    }

    public ApiError error() {
        return error;
    }

    public int status() {
        return error.status();
    }

    /** How long the caller should wait before retrying, or {@code null} when not applicable. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
