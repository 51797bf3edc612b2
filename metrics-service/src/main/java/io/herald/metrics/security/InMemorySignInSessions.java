package io.herald.metrics.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * Sessions in this process's memory (metrics-service without a state Redis: the standalone
 * server). Bounded: beyond {@code maxSessions} the expired ones are dropped, then the ones idle
 * longest. Lost at restart (users sign in again).
 */
public final class InMemorySignInSessions implements SignInSessions {

    private record Entry(SignIn signIn, Instant expires) {
    }

    private final Map<String, Entry> byDigest = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration idleTimeout;
    private final int maxSessions;

    public InMemorySignInSessions(Clock clock, Duration idleTimeout, int maxSessions) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.maxSessions = maxSessions;
    }

    @Override
    public Mono<String> create(SignIn signIn) {
        Objects.requireNonNull(signIn, "signIn");
        return SignInSessions.newId().map(id -> {
            if (byDigest.size() >= maxSessions) {
                evict();
            }
            byDigest.put(Digests.sha256(id), new Entry(signIn, clock.instant().plus(idleTimeout)));
            return id;
        });
    }

    private synchronized void evict() {
        Instant now = clock.instant();
        byDigest.values().removeIf(entry -> !entry.expires().isAfter(now));
        while (byDigest.size() >= maxSessions) {
            byDigest.entrySet().stream().min(Comparator.comparing(e -> e.getValue().expires()))
                    .ifPresent(oldest -> byDigest.remove(oldest.getKey()));
        }
    }

    @Override
    public Mono<SignIn> find(String sessionId) {
        return Mono.fromSupplier(() -> {
            String digest = Digests.sha256(sessionId);
            Instant now = clock.instant();
            Entry entry = byDigest.computeIfPresent(digest,
                    (key, e) -> e.expires().isAfter(now) ? new Entry(e.signIn(), now.plus(idleTimeout)) : null);
            return entry == null ? null : entry.signIn();
        });
    }

    @Override
    public Mono<Void> delete(String sessionId) {
        return Mono.fromRunnable(() -> byDigest.remove(Digests.sha256(sessionId)));
    }
}
