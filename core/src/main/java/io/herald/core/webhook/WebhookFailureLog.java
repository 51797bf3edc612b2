package io.herald.core.webhook;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The recent webhook delivery failures of each app, kept (bounded) so that tenants and
 * operators can see them through the admin API ({@code GET /admin/apps/{id}/webhook-failures}).
 *
 * <p>The dispatcher records every failed attempt, and once more (with {@code gaveUp}) the
 * attempt after which a batch was given up. Only the most recent {@link #DEFAULT_KEPT_PER_APP}
 * (or the adapter's configured number) are kept per app; older ones are dropped. Recording is
 * best effort: a failure to record never affects delivery. Nothing here blocks.
 */
public interface WebhookFailureLog {

    /** How many failures adapters keep per app unless configured otherwise. */
    int DEFAULT_KEPT_PER_APP = 100;

    /** Records a failed attempt (or a batch given up); keeps only the most recent entries per app. */
    Mono<Void> record(WebhookFailure failure);

    /** The most recent failures of an app, newest first; empty for an app with none. */
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

        public WebhookFailure {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(at, "at");
            reason = reason == null ? "" : reason;
        }
    }
}
