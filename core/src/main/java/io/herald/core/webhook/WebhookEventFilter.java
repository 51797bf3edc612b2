package io.herald.core.webhook;

import io.herald.core.app.App;
import io.herald.core.app.AppStore;
import io.herald.core.app.WebhookEventType;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Whether an app wants an event at all: the filter every {@link WebhookQueue} applies before
 * queueing. Fails open: when the app store cannot answer, the event is wanted.
 */
public final class WebhookEventFilter {

    private static final Logger log = LoggerFactory.getLogger(WebhookEventFilter.class);

    private final AppStore apps;

    public WebhookEventFilter(AppStore apps) {
        this.apps = Objects.requireNonNull(apps, "apps");
    }

    /** Whether some webhook of the event's app wants the event's type (and the app exists and is enabled). */
    public Mono<Boolean> wanted(WebhookEvent event) {
        return apps.findById(event.appId())
                .map(app -> wants(app, event.type()))
                .defaultIfEmpty(false)
                .onErrorResume(ex -> {
                    // Fail open: the dispatcher filters again when it sends.
                    log.debug("App lookup for app {} failed; queueing its webhook event anyway", event.appId(), ex);
                    return Mono.just(true);
                });
    }

    /** Whether {@code app} is enabled and one of its webhooks wants {@code type}. */
    public static boolean wants(App app, WebhookEventType type) {
        return app.enabled() && app.webhooks().stream().anyMatch(webhook -> webhook.wants(type));
    }
}
