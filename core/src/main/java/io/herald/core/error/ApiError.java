package io.herald.core.error;

/**
 * The HTTP statuses of Pusher's HTTP API, with the meaning Pusher documents for each.
 * Herald adds 404 (unknown app), 429 (rate limited) and 503 (the channel's Redis shard is
 * unavailable, with {@code Retry-After}) as the self-hosted servers do, and the refusals of
 * slow or oversized requests its HTTP servers answer before any route (408, 414, 431; see
 * {@code io.herald.core.web.HttpConnectionGuard}).
 */
public enum ApiError {

    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    /** The request's line and headers did not arrive within {@code herald.http.header-read-timeout}. */
    REQUEST_TIMEOUT(408),
    CONFLICT(409),
    PAYLOAD_TOO_LARGE(413),
    /** The request line is longer than {@code server.netty.max-initial-line-length}. */
    URI_TOO_LONG(414),
    UNSUPPORTED_MEDIA_TYPE(415),
    TOO_MANY_REQUESTS(429),
    /** The request's headers are larger than {@code server.max-http-request-header-size}. */
    REQUEST_HEADER_FIELDS_TOO_LARGE(431),
    SERVICE_UNAVAILABLE(503);

    private final int status;

    ApiError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** An exception carrying this status and a message a developer can act on. */
    public ApiException exception(String message) {
        return new ApiException(this, message);
    }
}
