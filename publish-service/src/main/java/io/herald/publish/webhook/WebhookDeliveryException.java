package io.herald.publish.webhook;

/** One attempt to send a batch failed: the endpoint answered non-2XX, or did not answer. */
final class WebhookDeliveryException extends RuntimeException {

    private final int status;

    /**
     * @param status the HTTP status, or 0 when there was no response
     * @param reason what went wrong, fit to show the app's developer (no secrets)
     */
    WebhookDeliveryException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
