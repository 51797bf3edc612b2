package io.herald.core.webhook;

import java.net.URI;
import java.time.Instant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The recent webhook delivery failures of each app, kept (bounded) so that tenants and
 * operators can see them through the admin API.
 */
public interface WebhookFailureLog {

    /** Records a failed attempt (or a batch given up); keeps only the most recent entries per app. */
    Mono<Void> record(WebhookFailure failure);

    /** The most recent failures of an app, newest first. */
    Flux<WebhookFailure> recent(String appId, int limit);

    /**
     * @param appId the app
     * @param url the endpoint
     * @param at when the attempt failed
     * @param attempt which attempt this was (1 = first)
     * @param status the HTTP status, or 0 when there was no response (timeout, refused, open circuit)
     * @param reason what went wrong, for the developer
     * @param events how many events the batch carried
     * @param gaveUp whether the batch was given up after this attempt
     */
    record WebhookFailure(String appId, URI url, Instant at, int attempt, int status, String reason, int events,
            boolean gaveUp) {
    }
}
