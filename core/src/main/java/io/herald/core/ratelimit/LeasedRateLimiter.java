package io.herald.core.ratelimit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.herald.core.ratelimit.RateLimiter.Grant;
import io.herald.core.ratelimit.RateLimiter.Kind;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A node's view of the cluster-wide {@link RateLimiter}: it takes units in small <em>leases</em>
 * so that hot paths do not ask the shared limiter for every message, admits requests from its
 * lease locally, and gives back what it did not use.
 *
 * <p><b>Leases.</b> When its lease of an app's resource cannot cover a request, the node asks the
 * shared limiter for the missing units plus a lease: {@link #leaseSize} (a tenth of a rate's
 * per-second limit, at most 1% of a daily quota capped at {@link #MAX_DAILY_LEASE}, at least 1). A
 * lease lives {@code leaseLifetime} (and never past the end of a daily quota's day); the rest of
 * an expired lease is released, at the next request or by {@link #releaseExpired()}, which the
 * role runs every second and which also forgets idle tenants. So over any window the cluster
 * admits at most what the shared limiter granted in it plus one lease per node taken before it:
 * {@code limit × window + burst + nodes × lease}.
 *
 * <p><b>All or nothing.</b> {@link #admit} admits all {@code units} of a request or none; a refusal
 * carries the shared limiter's {@code Retry-After}, and further requests of that app's resource are
 * refused locally (no shared call) until then, capped at the lease lifetime, so an app hammering
 * past its quota does not hammer the state Redis too (envoy's "local over-limit cache").
 *
 * <p><b>Degradation</b> (quotas fail open, bounded). Every call to the shared limiter has a
 * {@code timeout} and goes through a circuit breaker. When it fails or the breaker is open, the
 * node decides alone against its <em>local share</em> of the quota, {@code limit ÷ nodes} (and
 * {@code burst ÷ nodes}, at least 1), in an {@link InMemoryRateLimiter}: publishing is never
 * blocked outright by an unreachable limiter, and the cluster stays within about the quota while
 * {@code nodes} is right. It logs once when it starts and once when it stops degrading; the
 * {@link #degraded()} flag backs the {@code herald.ratelimit.degraded} gauge and
 * {@link #fallbackDecisions()} the {@code herald.ratelimit.fallback.decisions} counter.
 *
 * <p>Thread-safe; never blocks (a lease's state is guarded by a monitor held for a few field updates).
 */
public final class LeasedRateLimiter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeasedRateLimiter.class);

    /** The most units of a daily quota one node leases at once. */
    public static final long MAX_DAILY_LEASE = 100;

    /** The answer to {@link #admit}: all units admitted, or none with how long to wait. */
    public record Admission(boolean admitted, Duration retryAfter) {

        public static final Admission YES = new Admission(true, Duration.ZERO);

        public Admission {
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    private final RateLimiter shared;
    private final Clock clock;
    private final Duration leaseLifetime;
    private final Duration timeout;
    private final CircuitBreaker breaker;
    private final int nodes;
    private final InMemoryRateLimiter local;
    private final Map<Key, Lease> leases = new ConcurrentHashMap<>();
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final AtomicLong fallbackDecisions = new AtomicLong();

    /**
     * @param shared the cluster-wide limiter (Redis, or the rate-limit service over HTTP)
     * @param clock the time leases expire by
     * @param leaseLifetime how long a node keeps a lease's units before giving them back
     * @param timeout how long one call to {@code shared} may take before the local share decides
     * @param breaker the circuit breaker around {@code shared}
     * @param nodes how many nodes share each quota when they fall back to their local share
     */
    public LeasedRateLimiter(RateLimiter shared, Clock clock, Duration leaseLifetime, Duration timeout,
            CircuitBreaker breaker, int nodes) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leaseLifetime = Objects.requireNonNull(leaseLifetime, "leaseLifetime");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        if (nodes < 1 || leaseLifetime.isNegative() || leaseLifetime.isZero() || timeout.isNegative()
                || timeout.isZero()) {
            throw new IllegalArgumentException("nodes, leaseLifetime and timeout must be positive");
        }
        this.nodes = nodes;
        this.local = new InMemoryRateLimiter(clock);
    }

    private record Key(String appId, Resource resource) {
    }

    /** One node's units of one quota. Guarded by its own monitor. */
    private static final class Lease {

        long remaining;
        Grant grant;
        Quota quota;
        Instant expiresAt = Instant.MIN;
        /** {@link #expiresAt} in epoch milliseconds, rounded down, for {@link #tryAdmitLocally}. */
        long expiresAtMillis = Long.MIN_VALUE;
        Instant deniedUntil = Instant.MIN;
        Instant retryAt = Instant.MIN;
    }

    /** The units a node leases at once for {@code quota}. */
    public static long leaseSize(Quota quota) {
        if (quota.kind() == Kind.PER_SECOND) {
            return Math.max(1, Math.min(quota.burst(), quota.limit() / 10));
        }
        return Math.max(1, Math.min(MAX_DAILY_LEASE, quota.limit() / 100));
    }

    /**
     * {@link #admit}'s fast path: takes all {@code units} from this node's live lease of
     * {@code quota} when it holds them, synchronously, with no {@code Mono} and no shared call;
     * {@code false} (and nothing taken) when {@link #admit} must decide (no lease yet, too few
     * units left, the lease expired, a refusal). A publish pays for three quotas, and nearly every
     * admission is one of these: the chain of operators {@link #admit} builds cost more than the
     * decision itself.
     */
    public boolean tryAdmitLocally(Quota quota, long units) {
        if (units < 1) {
            return false;
        }
        Lease lease = leases.get(new Key(quota.appId(), quota.resource()));
        if (lease == null) {
            return false;
        }
        long now = clock.millis();
        synchronized (lease) {
            // Rounded down, so this ends a lease up to a millisecond early; admit() then decides exactly.
            if (now >= lease.expiresAtMillis || lease.remaining < units) {
                return false;
            }
            lease.remaining -= units;
            return true;
        }
    }

    /** Admits all {@code units} (at least 1) of {@code quota} or none. */
    public Mono<Admission> admit(Quota quota, long units) {
        Objects.requireNonNull(quota, "quota");
        if (units < 1) {
            return Mono.error(new IllegalArgumentException("units must be at least 1"));
        }
        return Mono.defer(() -> {
            Instant now = clock.instant();
            Lease lease = leases.computeIfAbsent(new Key(quota.appId(), quota.resource()), k -> new Lease());
            long need;
            Mono<Void> giveBack = Mono.empty();
            synchronized (lease) {
                if (!now.isBefore(lease.expiresAt) && lease.remaining > 0) {
                    giveBack = releaseQuietly(lease.quota, lease.grant, lease.remaining);
                    lease.remaining = 0;
                }
                if (lease.remaining >= units) {
                    lease.remaining -= units;
                    return giveBack.thenReturn(Admission.YES);
                }
                if (now.isBefore(lease.deniedUntil)) {
                    Duration wait = max(Duration.between(now, lease.retryAt), Duration.ofMillis(1));
                    return giveBack.thenReturn(new Admission(false, wait));
                }
                need = units - lease.remaining;
            }
            long ask = need + leaseSize(quota);
            return giveBack.then(take(quota, ask)).map(grant -> settle(lease, quota, units, grant));
        });
    }

    private Admission settle(Lease lease, Quota quota, long units, Grant grant) {
        Instant now = clock.instant();
        synchronized (lease) {
            lease.remaining += grant.granted();
            lease.grant = grant;
            lease.quota = quota;
            Instant expires = now.plus(leaseLifetime);
            if (quota.kind() == Kind.PER_DAY) {
                Instant dayEnd = now.plus(QuotaDays.untilNextDay(now, quota.zone()));
                expires = expires.isAfter(dayEnd) ? dayEnd : expires;
            }
            lease.expiresAt = expires;
            lease.expiresAtMillis = expires.toEpochMilli();
            if (lease.remaining >= units) {
                lease.remaining -= units;
                return Admission.YES;
            }
            Duration retry = grant.retryAfter().isZero() ? Duration.ofSeconds(1) : grant.retryAfter();
            // Refuse locally until then, but never longer than a lease lives: a raised quota is seen soon.
            lease.deniedUntil = now.plus(retry.compareTo(leaseLifetime) < 0 ? retry : leaseLifetime);
            lease.retryAt = now.plus(retry);
            return new Admission(false, retry);
        }
    }

    /** A grant from the shared limiter, or from the local share when it cannot answer. */
    private Mono<Grant> take(Quota quota, long units) {
        return shared.acquire(quota, units)
                .timeout(timeout)
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .doOnNext(grant -> {
                    if (degraded.compareAndSet(true, false)) {
                        log.info("The shared rate limiter answers again; quotas are cluster-wide again");
                    }
                })
                .onErrorResume(ex -> {
                    if (degraded.compareAndSet(false, true)) {
                        log.warn("The shared rate limiter cannot be reached ({}); each node now enforces its "
                                + "local share of every quota (limit / {})", ex.toString(), nodes);
                    }
                    fallbackDecisions.incrementAndGet();
                    return local.acquire(localShare(quota), units);
                });
    }

    /** This node's share of {@code quota} while the shared limiter cannot be reached. */
    Quota localShare(Quota quota) {
        return new Quota(quota.appId(), quota.resource(), quota.kind(), Math.max(1, quota.limit() / nodes),
                Math.max(1, quota.burst() / nodes), quota.zone());
    }

    private Mono<Void> releaseQuietly(Quota quota, Grant grant, long units) {
        if (quota == null || grant == null || units < 1) {
            return Mono.empty();
        }
        // A release that fails only leaves units unused until the bucket refills or the day ends.
        return shared.release(quota, grant, units).timeout(timeout)
                .onErrorResume(ex -> {
                    log.debug("Could not give back {} units of {}: {}", units, quota, ex.toString());
                    return Mono.empty();
                });
    }

    /**
     * Gives back the rest of every expired lease and forgets the leases with nothing left, so
     * idle tenants cost nothing here either. Completes when the releases are done.
     */
    public Mono<Void> releaseExpired() {
        return Flux.defer(() -> {
            Instant now = clock.instant();
            return Flux.fromIterable(leases.entrySet()).flatMap(entry -> {
                Lease lease = entry.getValue();
                Mono<Void> giveBack = Mono.empty();
                synchronized (lease) {
                    if (now.isBefore(lease.expiresAt) || now.isBefore(lease.deniedUntil)) {
                        return Mono.empty();
                    }
                    giveBack = releaseQuietly(lease.quota, lease.grant, lease.remaining);
                    lease.remaining = 0;
                    leases.remove(entry.getKey(), lease);
                }
                return giveBack;
            });
        }).then();
    }

    /**
     * Puts {@code units} admitted by {@link #admit} back into this node's lease of {@code quota},
     * for a request refused by another quota after this one admitted it.
     */
    public void giveBack(Quota quota, long units) {
        Lease lease = leases.get(new Key(quota.appId(), quota.resource()));
        if (lease == null || units < 1) {
            return;
        }
        synchronized (lease) {
            if (lease.grant != null) {
                lease.remaining += units;
            }
        }
    }

    /** Whether the last call to the shared limiter failed, so local shares decide. */
    public boolean degraded() {
        return degraded.get();
    }

    /** How many leases were granted from a local share since start. */
    public long fallbackDecisions() {
        return fallbackDecisions.get();
    }

    /** The circuit breaker around the shared limiter. */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    /** Gives back every lease's rest (best effort, bounded by the timeout). */
    @Override
    public void close() {
        Flux.fromIterable(leases.values()).flatMap(lease -> {
            synchronized (lease) {
                Mono<Void> giveBack = releaseQuietly(lease.quota, lease.grant, lease.remaining);
                lease.remaining = 0;
                return giveBack;
            }
        }).then().subscribe();
        leases.clear();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
