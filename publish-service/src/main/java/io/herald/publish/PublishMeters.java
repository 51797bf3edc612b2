package io.herald.publish;

import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageSink;
import io.herald.core.metrics.HeraldMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The publish service's meters, named and tagged as {@link HeraldMeters} documents:
 * {@code herald.messages.published} and {@code herald.publish.latency} tagged {@code app_id}
 * (behind core's cardinality limit), {@code herald.publish.errors} tagged {@code status}.
 *
 * <p>The meters of an app are looked up in the registry once and kept here: building a meter's id
 * and finding it in the registry on every publish cost ~3 % of a signed publish. Only apps that got
 * as far as publishing are kept (known, signed), and at most {@link #MAX_KEPT_APPS} of them; beyond
 * that the registry is asked each time, as before.
 */
public final class PublishMeters {

    /** Apps whose meters are kept; well above the app id tag limit, so every tagged app fits. */
    static final int MAX_KEPT_APPS = 4 * HeraldMeters.MAX_APP_ID_TAGS;

    private final MeterRegistry registry;
    private final UsageSink usage;
    private final ConcurrentHashMap<String, AppMeters> apps = new ConcurrentHashMap<>();

    private record AppMeters(Counter published, Timer latency) {
    }

    public PublishMeters(MeterRegistry registry) {
        this(registry, UsageSink.NONE);
    }

    /** @param usage where messages published and API requests are counted per app (see docs/usage.md) */
    public PublishMeters(MeterRegistry registry, UsageSink usage) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.usage = Objects.requireNonNull(usage, "usage");
    }

    /** A signed request of a known, enabled app was answered (whatever the answer). */
    public void apiRequest(String appId) {
        usage.record(appId, UsageQuantity.API_REQUESTS, 1);
    }

    /** {@code messages} channel messages of {@code appId} were accepted by the broker. */
    public void published(String appId, int messages) {
        if (messages > 0) {
            meters(appId).published().increment(messages);
            usage.record(appId, UsageQuantity.MESSAGES_PUBLISHED, messages);
        }
    }

    /** A publish request of {@code appId} took {@code nanos} from arrival to the broker's acceptance. */
    public void latency(String appId, long nanos) {
        meters(appId).latency().record(nanos, TimeUnit.NANOSECONDS);
    }

    private AppMeters meters(String appId) {
        AppMeters kept = apps.get(appId);
        if (kept != null) {
            return kept;
        }
        AppMeters created = new AppMeters(
                Counter.builder(HeraldMeters.MESSAGES_PUBLISHED.meterName())
                        .description("Channel messages accepted by the HTTP API, one per channel")
                        .tag(HeraldMeters.APP_ID, appId)
                        .register(registry),
                Timer.builder(HeraldMeters.PUBLISH_LATENCY.meterName())
                        .description("Time to validate and hand one HTTP API publish request to the broker")
                        .tag(HeraldMeters.APP_ID, appId)
                        // A few fixed buckets (HeraldMeters.PUBLISH_LATENCY_BUCKETS), not a full histogram:
                        // per app, so series stay at (buckets + 3) × apps, within the app id cap.
                        .serviceLevelObjectives(HeraldMeters.PUBLISH_LATENCY_BUCKETS)
                        .register(registry));
        if (apps.size() < MAX_KEPT_APPS) {
            AppMeters raced = apps.putIfAbsent(appId, created);
            return raced != null ? raced : created;
        }
        return created;
    }

    /** A request was answered with error status {@code status}. */
    public void error(int status) {
        Counter.builder(HeraldMeters.PUBLISH_ERRORS.meterName())
                .description("HTTP API requests answered with an error")
                .tag("status", String.valueOf(status))
                .register(registry)
                .increment();
    }
}
