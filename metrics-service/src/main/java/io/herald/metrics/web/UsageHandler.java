package io.herald.metrics.web;

import io.herald.core.error.ApiError;
import io.herald.core.names.Names;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.usage.UsageCounts;
import io.herald.metrics.security.AppAccess;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageStep;
import io.herald.core.usage.UsageStore;
import io.herald.core.usage.UsageStore.UsageBucket;
import io.herald.core.usage.UsageStore.UsageReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /usage/apps/{app_id}?from=…&to=…&step=minute|hour|day}: the app's series per counted
 * quantity and its totals ({@code app_id} {@value UsageStore#CLUSTER} for the cluster).
 *
 * <p>Who may read which app is {@link AppAccess}'s answer, asked before anything else. {@code from} and {@code to} are ISO-8601 instants; {@code to}
 * defaults to now and {@code from} to one day (step day: 30 days; minute: one hour) before it.
 */
public final class UsageHandler {

    private final UsageStore store;
    private final AppAccess access;
    private final Clock clock;

    public UsageHandler(UsageStore store, AppAccess access, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.access = Objects.requireNonNull(access, "access");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Mono<ServerResponse> usage(ServerRequest request) {
        String appId = request.pathVariable("app_id");
        return access.checkRead(request.exchange(), appId).then(Mono.defer(() -> {
            if (!UsageStore.CLUSTER.equals(appId) && !Names.isValidAppId(appId)) {
                throw ApiError.NOT_FOUND.exception("Unknown app: app ids are 1-64 letters, digits, '-' or '_'");
            }
            UsageStep step = UsageStep.parse(request.queryParam("step").orElse("hour"));
            if (step == null) {
                throw ApiError.BAD_REQUEST.exception("step must be minute, hour or day");
            }
            Instant to = instant(request, "to", clock.instant());
            Instant from = instant(request, "from", to.minus(defaultRange(step)));
            if (!to.isAfter(from)) {
                throw ApiError.BAD_REQUEST.exception("to must be after from");
            }
            return store.read(appId, from, to, step)
                    .onErrorMap(IllegalArgumentException.class, ex -> ApiError.BAD_REQUEST.exception(ex.getMessage()))
                    .flatMap(report -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(PusherCodec.json().writeValueAsBytes(json(report, from, to))));
        }));
    }

    private static Duration defaultRange(UsageStep step) {
        return switch (step) {
            case MINUTE -> Duration.ofHours(1);
            case HOUR -> Duration.ofDays(1);
            case DAY -> Duration.ofDays(30);
        };
    }

    private static Instant instant(ServerRequest request, String name, Instant otherwise) {
        String value = request.queryParam(name).orElse(null);
        if (value == null || value.isEmpty()) {
            return otherwise;
        }
        try {
            return Instant.parse(value);
        }
        catch (DateTimeParseException ex) {
            throw ApiError.BAD_REQUEST.exception(name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    private static ObjectNode json(UsageReport report, Instant from, Instant to) {
        ObjectNode root = PusherCodec.json().createObjectNode();
        root.put("app_id", report.appId());
        root.put("step", report.step().name().toLowerCase());
        root.put("from", from.toString());
        root.put("to", to.toString());
        ArrayNode starts = root.putArray("buckets");
        for (UsageBucket bucket : report.buckets()) {
            starts.add(bucket.start().toString());
        }
        ObjectNode series = root.putObject("series");
        for (UsageQuantity quantity : UsageQuantity.values()) {
            ArrayNode values = series.putArray(quantity.wireName());
            for (UsageBucket bucket : report.buckets()) {
                values.add(bucket.counts().get(quantity));
            }
        }
        ArrayNode billable = series.putArray("billable_messages");
        for (UsageBucket bucket : report.buckets()) {
            billable.add(bucket.counts().billableMessages());
        }
        ObjectNode totals = root.putObject("totals");
        counts(totals.putObject("range"), report.rangeTotal());
        counts(totals.putObject("all_time"), report.total());
        return root;
    }

    private static void counts(ObjectNode node, UsageCounts counts) {
        for (UsageQuantity quantity : UsageQuantity.values()) {
            node.put(quantity.wireName(), counts.get(quantity));
        }
        node.put("billable_messages", counts.billableMessages());
    }
}
