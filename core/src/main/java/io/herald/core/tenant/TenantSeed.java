package io.herald.core.tenant;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Writes the tenants of {@code herald.tenants} to the {@link TenantStore}, in the background, what
 * is missing only: a tenant that does not exist is made; a user it does not have is added (a user
 * it has keeps its password, which may have been changed through the admin API); an app nobody
 * owns is assigned. A username or app that belongs to another tenant is left there, with a
 * warning. Retried with backoff while the store cannot be reached.
 */
public final class TenantSeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TenantSeed.class);

    private final Disposable running;

    public TenantSeed(TenantsProperties configured, TenantStore store, TenantPasswords passwords) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(passwords, "passwords");
        List<TenantsProperties.TenantProperties> tenants = configured.tenants();
        this.running = tenants.isEmpty() ? null : Flux.fromIterable(tenants)
                .concatMap(tenant -> seed(tenant, store, passwords))
                .then()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
                        .doBeforeRetry(signal -> {
                            if (signal.totalRetries() == 0) {
                                log.warn("Cannot write the configured tenants yet ({}); retrying",
                                        signal.failure().toString());
                            }
                        }))
                .subscribe(done -> { }, ex -> log.warn("Writing the configured tenants failed: {}", ex.toString()),
                        () -> log.info("Configured tenants written where missing: {}", tenants.size()));
    }

    private static Mono<Void> seed(TenantsProperties.TenantProperties tenant, TenantStore store,
            TenantPasswords passwords) {
        Mono<Tenant> existing = store.findById(tenant.id())
                .switchIfEmpty(Mono.defer(() -> store.create(tenant.id(), tenant.name())
                        .onErrorResume(TenantConflictException.class, ex -> store.findById(tenant.id()))));
        return existing.flatMap(found -> Flux.fromIterable(tenant.users())
                .filter(user -> found.passwordHash(user.username()) == null)
                .concatMap(user -> hash(user, passwords)
                        .flatMap(hash -> store.addUser(tenant.id(), user.username(), hash))
                        .onErrorResume(TenantConflictException.class, ex -> {
                            log.warn("herald.tenants: user {} of tenant {} belongs to another tenant; not added",
                                    user.username(), tenant.id());
                            return Mono.empty();
                        }))
                .thenMany(Flux.fromIterable(tenant.apps()).filter(app -> !found.owns(app)))
                .concatMap(app -> store.assignApp(tenant.id(), app)
                        .onErrorResume(TenantConflictException.class, ex -> {
                            log.warn("herald.tenants: app {} is owned by another tenant than {}; not assigned",
                                    app, tenant.id());
                            return Mono.empty();
                        }))
                .then());
    }

    private static Mono<String> hash(TenantsProperties.UserProperties user, TenantPasswords passwords) {
        return user.passwordHash() != null && !user.passwordHash().isEmpty() ? Mono.just(user.passwordHash())
                : passwords.hash(user.password());
    }

    @Override
    public void close() {
        if (running != null) {
            running.dispose();
        }
    }
}
