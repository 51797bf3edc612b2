package io.herald.publish.webhook;

/** One attempt to send a batch failed: the endpoint answered non-2XX, or did not answer, or was not asked. */
final class WebhookDeliveryException extends RuntimeException {

    private final int status;
    private final boolean refused;

    /**
     * A request that failed.
     *
     * @param status the HTTP status, or 0 when there was no response
     * @param reason what went wrong, fit to show the app's developer (no secrets)
     */
    WebhookDeliveryException(int status, String reason) {
        this(status, reason, false);
    }

    private WebhookDeliveryException(int status, String reason, boolean refused) {
        super(reason, null, false, false);
        this.status = status;
        this.refused = refused;
    }

    /** No request was made: the endpoint's circuit is open (or its one probe is out). */
    static WebhookDeliveryException refused() {
        return new WebhookDeliveryException(0, "circuit open: recent attempts to this endpoint failed", true);
    }

    int status() {
        return status;
    }

    /** Whether the attempt was refused by the endpoint's circuit breaker, without a request. */
    boolean wasRefused() {
        return refused;
    }
}
