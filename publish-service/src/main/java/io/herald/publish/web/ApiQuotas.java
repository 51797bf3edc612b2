package io.herald.publish.web;

import io.herald.core.app.App;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.ratelimit.AppQuotas;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.LeasedRateLimiter.Admission;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The HTTP API's quotas (see {@code docs/quotas.md}), decided through this node's
 * {@link LeasedRateLimiter}:
 * <ul>
 * <li>API requests per second: every signed request of an enabled app; over it 429 with
 * {@code Retry-After};</li>
 * <li>messages per day (events × channels): over it 403, as Pusher answers an app over its
 * message quota, with {@code Retry-After} until midnight in the app's time zone;</li>
 * <li>messages per second: over it 429 with {@code Retry-After}.</li>
 * </ul>
 * A publish request is admitted whole or refused whole. The daily quota is asked first; when the
 * rate then refuses, the day's units go back to the node's lease. Apps without a quota (0) never
 * reach the limiter.
 */
public final class ApiQuotas {

    private final LeasedRateLimiter limiter;
    private final AppQuotas quotas;
    private final MeterRegistry registry;
    private final boolean limitApiRequests;

    public ApiQuotas(LeasedRateLimiter limiter, AppQuotas quotas, MeterRegistry registry) {
        this(limiter, quotas, registry, true);
    }

    /**
     * @param limitApiRequests whether this node enforces the API request rate; {@code false} on
     *        publish nodes behind a gateway that enforces it ({@code herald.publish.api-request-limit}),
     *        so that a request is not counted twice
     */
    public ApiQuotas(LeasedRateLimiter limiter, AppQuotas quotas, MeterRegistry registry, boolean limitApiRequests) {
        this.limitApiRequests = limitApiRequests;
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.quotas = Objects.requireNonNull(quotas, "quotas");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Admits one API request of {@code app}, or fails with a 429; admits all when this node does not limit them. */
    public Mono<Void> admitRequest(App app) {
        Optional<Quota> quota = limitApiRequests ? quotas.apiRequestRate(app) : Optional.empty();
        if (quota.isEmpty()) {
            return Mono.empty();
        }
        return limiter.admit(quota.get(), 1).flatMap(admission -> admission.admitted() ? Mono.<Void>empty()
                : Mono.error(refused(app, "api", ApiError.TOO_MANY_REQUESTS,
                        AppQuotas.apiRequestRateExceeded(app.id(), quota.get().limit(), admission.retryAfter()),
                        admission.retryAfter())));
    }

    /** Admits {@code messages} channel messages of {@code app}, or fails with a 403 (daily quota) or 429 (rate). */
    public Mono<Void> admitMessages(App app, long messages) {
        if (messages < 1) {
            return Mono.empty();
        }
        Optional<Quota> daily = quotas.dailyMessages(app);
        Optional<Quota> rate = quotas.publishRate(app);
        Mono<Boolean> day = daily.isEmpty() ? Mono.just(false)
                : limiter.admit(daily.get(), messages).flatMap(admission -> admission.admitted() ? Mono.just(true)
                        : Mono.error(refused(app, "daily", ApiError.FORBIDDEN, "App " + app.id()
                                + " is over its message quota of " + daily.get().limit() + " messages per day; it starts "
                                + "again at midnight " + daily.get().zone().getId() + ", in "
                                + seconds(admission.retryAfter()) + " s", admission.retryAfter())));
        if (rate.isEmpty()) {
            return day.then();
        }
        return day.flatMap(countedToday -> limiter.admit(rate.get(), messages).flatMap(admission -> {
            if (admission.admitted()) {
                return Mono.<Void>empty();
            }
            if (countedToday) {
                limiter.giveBack(daily.get(), messages);
            }
            return Mono.error(refused(app, "publish", ApiError.TOO_MANY_REQUESTS, "Over the publish rate of app "
                    + app.id() + " (" + rate.get().limit() + " messages per second; this request has " + messages
                    + "); retry after " + seconds(admission.retryAfter()) + " s", admission.retryAfter()));
        }));
    }

    private ApiException refused(App app, String quota, ApiError error, String message, Duration retryAfter) {
        Counter.builder(HeraldMeters.RATELIMIT_REFUSED.meterName())
                .description("HTTP API requests refused by a quota")
                .tag(HeraldMeters.APP_ID, app.id())
                .tag("quota", quota)
                .register(registry)
                .increment();
        return new ApiException(error, message, retryAfter, null);
    }

    private static long seconds(Duration duration) {
        return AppQuotas.retryAfterSeconds(duration);
    }
}
