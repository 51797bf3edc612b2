package io.herald.publish.web;

import io.herald.core.app.App;
import io.herald.core.app.AppLimits;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.ratelimit.AppQuotas;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * reach the limiter; admissions the node's leases cover are decided synchronously
 * ({@link LeasedRateLimiter#tryAdmitLocally}).
 */
public final class ApiQuotas {

    /** The most apps whose quotas are kept made. */
    static final int MAX_CACHED_APPS = 10_000;

    private final LeasedRateLimiter limiter;
    private final AppQuotas quotas;
    private final MeterRegistry registry;
    private final boolean limitApiRequests;
    private final Map<String, Quotas> cache = new ConcurrentHashMap<>();

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
        Quota quota = limitApiRequests ? quotasOf(app).api() : null;
        if (quota == null || limiter.tryAdmitLocally(quota, 1)) {
            return Mono.empty();
        }
        return limiter.admit(quota, 1).flatMap(admission -> admission.admitted() ? Mono.<Void>empty()
                : Mono.error(refused(app, "api", ApiError.TOO_MANY_REQUESTS,
                        AppQuotas.apiRequestRateExceeded(app.id(), quota.limit(), admission.retryAfter()),
                        admission.retryAfter())));
    }

    /**
     * Admits {@code messages} channel messages of {@code app}, or fails with a 403 (daily quota) or
     * 429 (rate). While this node's leases hold the units (nearly always) it decides synchronously
     * and returns the empty {@code Mono}: no operator is assembled. So the units are taken when
     * this is called, not when the {@code Mono} is subscribed: call it where it is subscribed at
     * once (inside the request's {@code flatMap}), as {@link #admitRequest} too.
     */
    public Mono<Void> admitMessages(App app, long messages) {
        if (messages < 1) {
            return Mono.empty();
        }
        Quotas of = quotasOf(app);
        Quota daily = of.daily();
        Quota rate = of.rate();
        if (daily == null || limiter.tryAdmitLocally(daily, messages)) {
            boolean countedToday = daily != null;
            if (rate == null || limiter.tryAdmitLocally(rate, messages)) {
                return Mono.empty();
            }
            return admitRate(app, daily, rate, messages, countedToday);
        }
        Mono<Boolean> day = limiter.admit(daily, messages).flatMap(admission -> admission.admitted() ? Mono.just(true)
                : Mono.error(refused(app, "daily", ApiError.FORBIDDEN, "App " + app.id()
                        + " is over its message quota of " + daily.limit() + " messages per day; it starts "
                        + "again at midnight " + daily.zone().getId() + ", in "
                        + seconds(admission.retryAfter()) + " s", admission.retryAfter())));
        if (rate == null) {
            return day.then();
        }
        return day.flatMap(countedToday -> admitRate(app, daily, rate, messages, countedToday));
    }

    /** The publish rate's decision; when it refuses, the day's units go back to the lease. */
    private Mono<Void> admitRate(App app, Quota daily, Quota rate, long messages, boolean countedToday) {
        return limiter.admit(rate, messages).flatMap(admission -> {
            if (admission.admitted()) {
                return Mono.<Void>empty();
            }
            if (countedToday) {
                limiter.giveBack(daily, messages);
            }
            return Mono.error(refused(app, "publish", ApiError.TOO_MANY_REQUESTS, "Over the publish rate of app "
                    + app.id() + " (" + rate.limit() + " messages per second; this request has " + messages
                    + "); retry after " + seconds(admission.retryAfter()) + " s", admission.retryAfter()));
        });
    }

    /**
     * {@code app}'s quotas, made once per app and its limits rather than per request (each
     * {@link Quota} checks its app id when made). An app whose limits changed gets new ones;
     * the cache is emptied when it holds more than {@link #MAX_CACHED_APPS}, so apps long gone
     * do not accumulate.
     */
    private Quotas quotasOf(App app) {
        Quotas cached = cache.get(app.id());
        if (cached != null && (cached.limits() == app.limits() || cached.limits().equals(app.limits()))) {
            return cached;
        }
        Quotas made = new Quotas(app.limits(), quotas.apiRequestRate(app).orElse(null),
                quotas.dailyMessages(app).orElse(null), quotas.publishRate(app).orElse(null));
        if (cache.size() >= MAX_CACHED_APPS) {
            cache.clear();
        }
        cache.put(app.id(), made);
        return made;
    }

    /** One app's quotas for the limits they were made from; {@code null} where there is none. */
    private record Quotas(AppLimits limits, Quota api, Quota daily, Quota rate) {
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
