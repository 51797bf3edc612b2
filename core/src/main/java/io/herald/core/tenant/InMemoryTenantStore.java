package io.herald.core.tenant;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link TenantStore} in this process's memory: for the standalone server, or auth-service and
 * metrics-service without a state Redis (then each process has its own tenants, so that is only
 * right for one process). Lost at restart.
 *
 * <p>Every operation takes one short lock (no I/O under it), so the three uniqueness rules and
 * the indexes stay consistent; tenants are immutable records, replaced whole.
 */
public final class InMemoryTenantStore implements TenantStore {

    private final Map<String, Tenant> byId = new TreeMap<>();
    private final Map<String, String> tenantByUser = new HashMap<>();
    private final Map<String, String> tenantByApp = new HashMap<>();

    private synchronized <T> T locked(java.util.function.Supplier<T> work) {
        return work.get();
    }

    @Override
    public Mono<Tenant> create(String id, String name) {
        Tenant tenant = Tenant.of(id, name);
        return Mono.fromCallable(() -> locked(() -> {
            if (byId.containsKey(id)) {
                throw new TenantConflictException("A tenant with id " + id + " exists");
            }
            byId.put(id, tenant);
            return tenant;
        }));
    }

    @Override
    public Mono<Tenant> findById(String id) {
        return Mono.fromCallable(() -> locked(() -> byId.get(id)));
    }

    @Override
    public Mono<Tenant> findByUsername(String username) {
        Objects.requireNonNull(username, "username");
        return Mono.fromCallable(() -> locked(() -> {
            String id = tenantByUser.get(Tenant.normalize(username));
            return id == null ? null : byId.get(id);
        }));
    }

    @Override
    public Mono<Tenant> findByApp(String appId) {
        return Mono.fromCallable(() -> locked(() -> {
            String id = tenantByApp.get(appId);
            return id == null ? null : byId.get(id);
        }));
    }

    @Override
    public Flux<Tenant> list() {
        return Flux.defer(() -> Flux.fromIterable(locked(() -> java.util.List.copyOf(byId.values()))));
    }

    @Override
    public Mono<Boolean> delete(String id) {
        return Mono.fromCallable(() -> locked(() -> {
            Tenant gone = byId.remove(id);
            if (gone == null) {
                return false;
            }
            gone.users().keySet().forEach(tenantByUser::remove);
            gone.apps().forEach(tenantByApp::remove);
            return true;
        }));
    }

    @Override
    public Mono<Tenant> rename(String id, String name) {
        return change(id, t -> new Tenant(t.id(), name, t.apps(), t.users()));
    }

    @Override
    public Mono<Tenant> addUser(String tenantId, String username, String passwordHash) {
        String user = Tenant.normalize(username);
        Objects.requireNonNull(passwordHash, "passwordHash");
        return change(tenantId, t -> {
            if (tenantByUser.containsKey(user)) {
                throw new TenantConflictException("The username " + user + " is taken");
            }
            Map<String, String> users = new TreeMap<>(t.users());
            users.put(user, passwordHash);
            tenantByUser.put(user, t.id());
            return new Tenant(t.id(), t.name(), t.apps(), users);
        });
    }

    @Override
    public Mono<Tenant> setPassword(String tenantId, String username, String passwordHash) {
        String user = Tenant.normalize(username);
        Objects.requireNonNull(passwordHash, "passwordHash");
        return change(tenantId, t -> {
            if (!t.users().containsKey(user)) {
                return null;
            }
            Map<String, String> users = new TreeMap<>(t.users());
            users.put(user, passwordHash);
            return new Tenant(t.id(), t.name(), t.apps(), users);
        });
    }

    @Override
    public Mono<Tenant> removeUser(String tenantId, String username) {
        String user = Tenant.normalize(username);
        return change(tenantId, t -> {
            if (!t.users().containsKey(user)) {
                return null;
            }
            Map<String, String> users = new TreeMap<>(t.users());
            users.remove(user);
            tenantByUser.remove(user);
            return new Tenant(t.id(), t.name(), t.apps(), users);
        });
    }

    @Override
    public Mono<Tenant> assignApp(String tenantId, String appId) {
        Objects.requireNonNull(appId, "appId");
        return change(tenantId, t -> {
            String owner = tenantByApp.get(appId);
            if (owner != null && !owner.equals(t.id())) {
                throw new TenantConflictException("The app " + appId + " is owned by another tenant");
            }
            Set<String> apps = new TreeSet<>(t.apps());
            apps.add(appId);
            tenantByApp.put(appId, t.id());
            return new Tenant(t.id(), t.name(), apps, t.users());
        });
    }

    @Override
    public Mono<Tenant> unassignApp(String tenantId, String appId) {
        Objects.requireNonNull(appId, "appId");
        return change(tenantId, t -> {
            if (!t.owns(appId)) {
                return t;
            }
            Set<String> apps = new TreeSet<>(t.apps());
            apps.remove(appId);
            tenantByApp.remove(appId);
            return new Tenant(t.id(), t.name(), apps, t.users());
        });
    }

    /** Applies {@code change} to the tenant under the lock; {@code null} from it means "not found". */
    private Mono<Tenant> change(String id, Function<Tenant, Tenant> change) {
        return Mono.fromCallable(() -> locked(() -> {
            Tenant tenant = byId.get(id);
            if (tenant == null) {
                return null;
            }
            Tenant changed = change.apply(tenant);
            if (changed != null) {
                byId.put(id, changed);
            }
            return changed;
        }));
    }
}
