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
 * {@link LoginThrottle} in this process's memory: a fixed window per key from its first failure.
 * Bounded to {@code maxKeys}: beyond it the ended windows are dropped, then those that refuse
 * nothing yet (see {@link #evict}), so a flood of made-up usernames costs memory only up to the
 * bound and cannot lift a refusal.
 */
public final class InMemoryLoginThrottle implements LoginThrottle {

    private record Window(int failures, Instant ends) {
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int maxPerUser;
    private final int maxPerAddress;
    private final Duration window;
    private final int maxKeys;

    public InMemoryLoginThrottle(Clock clock, int maxPerUser, int maxPerAddress, Duration window, int maxKeys) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxPerUser = maxPerUser;
        this.maxPerAddress = maxPerAddress;
        this.window = Objects.requireNonNull(window, "window");
        this.maxKeys = maxKeys;
    }

    @Override
    public Mono<Duration> refusedFor(String username, String address) {
        return Mono.fromSupplier(() -> {
            Instant now = clock.instant();
            Duration user = refused(LoginThrottle.userKey(username), maxPerUser, now);
            Duration from = refused(LoginThrottle.addressKey(address), maxPerAddress, now);
            return user.compareTo(from) >= 0 ? user : from;
        });
    }

    private Duration refused(String key, int max, Instant now) {
        Window w = windows.get(key);
        if (w == null || !w.ends().isAfter(now) || w.failures() < max) {
            return Duration.ZERO;
        }
        return Duration.between(now, w.ends());
    }

    @Override
    public Mono<Void> failed(String username, String address) {
        return Mono.fromRunnable(() -> {
            if (windows.size() >= maxKeys) {
                evict();
            }
            Instant now = clock.instant();
            for (String key : new String[] { LoginThrottle.userKey(username), LoginThrottle.addressKey(address) }) {
                windows.compute(key, (k, w) -> w == null || !w.ends().isAfter(now) ? new Window(1, now.plus(window))
                        : new Window(w.failures() + 1, w.ends()));
            }
        });
    }

    /**
     * Makes room: drops the ended windows, then — down to 90% of the bound — the windows that refuse
     * nothing yet, those ending first. Windows that refuse sign-in go last, so a flood of made-up
     * usernames cannot wash out the count of the one being guessed.
     */
    private synchronized void evict() {
        Instant now = clock.instant();
        windows.values().removeIf(w -> !w.ends().isAfter(now));
        int excess = windows.size() - maxKeys * 9 / 10;
        if (excess <= 0) {
            return;
        }
        windows.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Window>, Boolean>comparing(e -> refuses(e.getKey(), e.getValue()))
                        .thenComparing(e -> e.getValue().ends()))
                .limit(excess)
                .map(Map.Entry::getKey)
                .toList()
                .forEach(windows::remove);
    }

    private boolean refuses(String key, Window window) {
        return window.failures() >= (key.startsWith("u:") ? maxPerUser : maxPerAddress);
    }

    @Override
    public Mono<Void> succeeded(String username) {
        return Mono.fromRunnable(() -> windows.remove(LoginThrottle.userKey(username)));
    }

    /** How many windows are kept now. */
    int size() {
        return windows.size();
    }
}
