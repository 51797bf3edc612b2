package io.herald.metrics.web;

import io.herald.core.app.App;
import io.herald.core.app.AppLimits;
import io.herald.core.app.AppStore;
import io.herald.core.error.ApiError;
import io.herald.core.names.Names;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.ratelimit.QuotaDays;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelState.ChannelSummary;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import io.herald.core.webhook.WebhookFailureLog;
import io.herald.core.webhook.WebhookFailureLog.WebhookFailure;
import io.herald.metrics.security.AppAccess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dashboard's data: {@code GET /dashboard/api/apps} (the apps the caller may read, with their
 * names) and {@code GET /dashboard/api/apps/{app_id}/summary} (what is happening in the app now
 * and its quota use). Each asks {@link AppAccess} first; an app the caller may read but that does
 * not exist (any more) is 404.
 *
 * <p>Where each figure comes from, cluster-wide (see {@code docs/dashboard.md}):
 * <ul>
 * <li>current connections: the usage store's per-second record
 * ({@link UsageStore#connectionsIn}), the higher of the last two complete seconds, because every
 * node reports its open connections once per flush period and a report may land in the next
 * second. Known for every app, limited or not; a second or two behind.</li>
 * <li>occupied channels: {@link ChannelState#channels} (the edges' shared channel state).</li>
 * <li>messages today: the app's published messages in the usage series since midnight in the
 * app's time zone (the messages the daily quota counts).</li>
 * <li>limits: the app's {@link AppLimits} from the {@link AppStore}.</li>
 * <li>webhook failures: the {@link WebhookFailureLog}, newest first.</li>
 * </ul>
 */
public final class DashboardHandler {

    /** How many webhook failures a summary lists. */
    public static final int FAILURES_SHOWN = 50;

    /** How many occupied channels a summary lists by name (all are counted). */
    public static final int CHANNELS_LISTED = 100;

    private final AppAccess access;
    private final AppStore apps;
    private final UsageStore usage;
    private final ChannelState channels;
    private final WebhookFailureLog failures;
    private final Clock clock;

    public DashboardHandler(AppAccess access, AppStore apps, UsageStore usage, ChannelState channels,
            WebhookFailureLog failures, Clock clock) {
        this.access = Objects.requireNonNull(access, "access");
        this.apps = Objects.requireNonNull(apps, "apps");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.failures = Objects.requireNonNull(failures, "failures");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@code GET /dashboard/api/apps}: {@code {"apps":[{"id","name","enabled"}]}}, sorted by id. */
    public Mono<ServerResponse> apps(ServerRequest request) {
        return access.readableApps(request.exchange())
                .flatMap(ids -> Flux.fromIterable(ids)
                        .flatMapSequential(id -> apps.findById(id), 8)
                        .collectList())
                .flatMap(found -> {
                    ObjectNode root = PusherCodec.json().createObjectNode();
                    ArrayNode list = root.putArray("apps");
                    for (App app : found) {
                        list.addObject().put("id", app.id()).put("name", app.name()).put("enabled", app.enabled());
                    }
                    return json(root);
                });
    }

    /** {@code GET /dashboard/api/apps/{app_id}/summary}. */
    public Mono<ServerResponse> summary(ServerRequest request) {
        String appId = request.pathVariable("app_id");
        return access.checkRead(request.exchange(), appId)
                .then(Mono.defer(() -> Names.isValidAppId(appId) ? apps.findById(appId) : Mono.<App>empty()))
                .switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("Unknown app " + appId)))
                .flatMap(app -> summary(app, clock.instant()))
                .flatMap(DashboardHandler::json);
    }

    private Mono<ObjectNode> summary(App app, Instant now) {
        Instant second = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Mono<Long> connections = Mono.zip(usage.connectionsIn(app.id(), second.minusSeconds(1)),
                usage.connectionsIn(app.id(), second.minusSeconds(2)), Math::max);
        Mono<ObjectNode> occupied = channels.channels(app.id(), "")
                // Herald's own channels (#online-…, #server-to-user-…) are not the app's, as in channel queries.
                .filter(summary -> !summary.channel().startsWith("#"))
                .collectList()
                .map(DashboardHandler::channelsJson)
                // The rest of the summary is still worth showing while a shard is down.
                .onErrorResume(ex -> Mono.just(PusherCodec.json().createObjectNode()
                        .putNull("occupied").put("error", "Channel state unavailable: " + ex.getMessage())));
        ZoneId zone = app.limits().timeZone();
        Instant midnight = LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant();
        Mono<Long> today = publishedBetween(app.id(), midnight, now);
        Instant minute = UsageStep.MINUTE.bucketOf(now);
        Mono<long[]> lastMinute = usage.read(app.id(), minute.minus(Duration.ofMinutes(1)), minute, UsageStep.MINUTE)
                .map(report -> new long[] { report.rangeTotal().get(UsageQuantity.MESSAGES_PUBLISHED),
                        report.rangeTotal().get(UsageQuantity.API_REQUESTS) });
        Mono<List<WebhookFailure>> recent = failures.recent(app.id(), FAILURES_SHOWN).collectList();
        return Mono.zip(connections, occupied, today, lastMinute, recent).map(all -> {
            AppLimits limits = app.limits();
            ObjectNode root = PusherCodec.json().createObjectNode();
            root.put("app_id", app.id()).put("name", app.name()).put("enabled", app.enabled())
                    .put("time", now.toString());
            root.putObject("connections").put("current", all.getT1()).put("limit", limits.maxConnections());
            root.set("channels", all.getT2());
            ObjectNode quotas = root.putObject("quotas");
            quotas.putObject("connections").put("used", all.getT1()).put("limit", limits.maxConnections());
            quotas.putObject("messages_per_day").put("used", all.getT3()).put("limit", limits.maxMessagesPerDay())
                    .put("time_zone", zone.getId()).put("day", LocalDate.ofInstant(now, zone).toString())
                    .put("resets_at", now.plus(QuotaDays.untilNextDay(now, zone)).toString());
            quotas.putObject("publish_per_second").put("limit", limits.maxPublishPerSecond())
                    .put("last_minute", all.getT4()[0]);
            quotas.putObject("api_requests_per_second").put("limit", limits.maxApiRequestsPerSecond())
                    .put("last_minute", all.getT4()[1]);
            ArrayNode log = root.putArray("webhook_failures");
            for (WebhookFailure failure : all.getT5()) {
                log.addObject().put("at", failure.at().toString()).put("url", failure.url().toString())
                        .put("attempt", failure.attempt()).put("status", failure.status())
                        .put("reason", failure.reason()).put("events", failure.events())
                        .put("gave_up", failure.gaveUp());
            }
            return root;
        });
    }

    /**
     * The app's published messages from {@code from} to {@code now}: hour buckets where they
     * line up with {@code from} (a zone a whole number of hours from UTC), minute buckets for the
     * part of the first hour that does not (India's +05:30).
     */
    private Mono<Long> publishedBetween(String appId, Instant from, Instant now) {
        if (!now.isAfter(from)) {
            return Mono.just(0L);
        }
        Instant firstHour = UsageStep.HOUR.bucketOf(from);
        if (firstHour.equals(from)) {
            return published(appId, from, now, UsageStep.HOUR);
        }
        Instant nextHour = firstHour.plus(Duration.ofHours(1));
        Mono<Long> head = published(appId, from, nextHour.isBefore(now) ? nextHour : now, UsageStep.MINUTE);
        return nextHour.isBefore(now)
                ? Mono.zip(head, published(appId, nextHour, now, UsageStep.HOUR), Long::sum)
                : head;
    }

    private Mono<Long> published(String appId, Instant from, Instant to, UsageStep step) {
        return usage.read(appId, from, to, step).map(r -> r.rangeTotal().get(UsageQuantity.MESSAGES_PUBLISHED));
    }

    private static ObjectNode channelsJson(List<ChannelSummary> occupied) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("occupied", occupied.size());
        ArrayNode list = node.putArray("list");
        occupied.stream().sorted(Comparator.comparing(ChannelSummary::channel)).limit(CHANNELS_LISTED)
                .forEach(c -> {
                    ObjectNode entry = list.addObject().put("channel", c.channel())
                            .put("subscription_count", c.subscriptionCount());
                    if (c.userCount() != null) {
                        entry.put("user_count", c.userCount());
                    }
                });
        return node;
    }

    private static Mono<ServerResponse> json(ObjectNode body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).cacheControl(CacheControl.noStore())
                .bodyValue(PusherCodec.json().writeValueAsBytes(body));
    }
}
