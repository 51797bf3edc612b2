package io.herald.core.tenant;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The tenants of a cluster: who owns which app, and who may sign in for which tenant.
 *
 * <p><b>What callers may rely on.</b>
 * <ul>
 * <li><b>Uniqueness, cluster-wide</b>: a tenant id is used once; a username (as
 * {@link Tenant#normalize normalized}) belongs to one user of one tenant; an app is owned by at most
 * one tenant. A write that would break one of these fails with {@link TenantConflictException} and
 * changes nothing (the Redis adapter checks and writes in one Lua script).</li>
 * <li><b>Not found</b> is an empty {@code Mono}: a lookup of an unknown tenant, and a change to an
 * unknown tenant (or to a user it does not have).</li>
 * <li><b>Changes answer the tenant as it is after them</b>; they are visible to every reader of
 * the same store at once (no cache: sign-in and every dashboard request read the store, so a
 * removed user or an unassigned app loses access on its next request).</li>
 * <li><b>Passwords</b> are never stored, only their hashes ({@link TenantPasswords}); the store
 * neither makes nor checks them.</li>
 * <li><b>Errors</b>: an unreachable store fails the {@code Mono} (the Redis adapter with
 * {@link io.herald.core.redis.RedisUnavailableException}); callers fail closed (no sign-in, no
 * data). Never blocks.</li>
 * </ul>
 */
public interface TenantStore {

    /** Creates a tenant with no apps and no users; {@link TenantConflictException} when the id is taken. */
    Mono<Tenant> create(String id, String name);

    Mono<Tenant> findById(String id);

    /** The tenant with the user {@code username} (any case), if any. */
    Mono<Tenant> findByUsername(String username);

    /** The tenant that owns {@code appId}, if any. */
    Mono<Tenant> findByApp(String appId);

    /** Every tenant, sorted by id. */
    Flux<Tenant> list();

    /** Deletes the tenant, its users and its ownership of apps (not the apps); whether it existed. */
    Mono<Boolean> delete(String id);

    /** Renames the tenant. */
    Mono<Tenant> rename(String id, String name);

    /** Adds a user; {@link TenantConflictException} when the username is taken (here or elsewhere). */
    Mono<Tenant> addUser(String tenantId, String username, String passwordHash);

    /** Replaces a user's password hash; empty when the tenant has no such user. */
    Mono<Tenant> setPassword(String tenantId, String username, String passwordHash);

    /** Removes a user; empty when the tenant has no such user. */
    Mono<Tenant> removeUser(String tenantId, String username);

    /**
     * Makes the tenant the owner of {@code appId} (whether the app exists is the caller's
     * business); a no-op when it already is; {@link TenantConflictException} when another tenant is.
     */
    Mono<Tenant> assignApp(String tenantId, String appId);

    /** Ends the tenant's ownership of {@code appId} (a no-op when it did not own it). */
    Mono<Tenant> unassignApp(String tenantId, String appId);
}
