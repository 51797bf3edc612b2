package io.herald.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** What every {@link TenantStore} adapter guarantees; run against the in-memory and the Redis one. */
public abstract class TenantStoreContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(30);

    protected TenantStore store;

    /** A new, empty store. */
    protected abstract TenantStore newStore();

    @BeforeEach
    void setUp() {
        store = newStore();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Test
    void aCreatedTenantIsFoundWithItsUsersAndApps() {
        assertThat(store.create("acme", "Acme Inc.").block(TIMEOUT)).isEqualTo(Tenant.of("acme", "Acme Inc."));
        store.addUser("acme", "Alice@Acme.example", "{bcrypt}hash-a").block(TIMEOUT);
        store.addUser("acme", "bob", "{bcrypt}hash-b").block(TIMEOUT);
        Tenant acme = store.assignApp("acme", "app-1").block(TIMEOUT);
        store.assignApp("acme", "app-2").block(TIMEOUT);

        Tenant expected = new Tenant("acme", "Acme Inc.", Set.of("app-1", "app-2"),
                Map.of("alice@acme.example", "{bcrypt}hash-a", "bob", "{bcrypt}hash-b"));
        assertThat(acme.apps()).containsExactly("app-1");
        assertThat(store.findById("acme").block(TIMEOUT)).isEqualTo(expected);
        assertThat(store.findByUsername("ALICE@acme.example").block(TIMEOUT)).isEqualTo(expected);
        assertThat(store.findByApp("app-2").block(TIMEOUT)).isEqualTo(expected);
        assertThat(expected.passwordHash("Bob")).isEqualTo("{bcrypt}hash-b");
        StepVerifier.create(store.findById("nobody")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(store.findByUsername("carol")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(store.findByUsername("not a username")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(store.findByApp("app-3")).expectComplete().verify(TIMEOUT);
    }

    @Test
    void idsUsernamesAndAppsAreUniqueAcrossTenants() {
        store.create("t1", null).block(TIMEOUT);
        store.create("t2", null).block(TIMEOUT);
        store.addUser("t1", "alice", "h").block(TIMEOUT);
        store.assignApp("t1", "shared").block(TIMEOUT);

        StepVerifier.create(store.create("t1", "again")).expectError(TenantConflictException.class).verify(TIMEOUT);
        StepVerifier.create(store.addUser("t2", "ALICE", "h2")).expectError(TenantConflictException.class)
                .verify(TIMEOUT);
        StepVerifier.create(store.addUser("t1", "alice", "h2")).expectError(TenantConflictException.class)
                .verify(TIMEOUT);
        StepVerifier.create(store.assignApp("t2", "shared")).expectError(TenantConflictException.class)
                .verify(TIMEOUT);
        // Assigning an app a tenant already owns changes nothing.
        assertThat(store.assignApp("t1", "shared").block(TIMEOUT).apps()).containsExactly("shared");

        assertThat(store.findById("t1").block(TIMEOUT).name()).isEqualTo("t1");
        assertThat(store.findById("t2").block(TIMEOUT)).isEqualTo(Tenant.of("t2", null));
        assertThat(store.findByUsername("alice").block(TIMEOUT).id()).isEqualTo("t1");
    }

    @Test
    void concurrentClaimsOfOneUsernameHaveOneWinner() {
        for (int i = 0; i < 8; i++) {
            store.create("t" + i, null).block(TIMEOUT);
        }
        AtomicInteger conflicts = new AtomicInteger();
        List<Tenant> winners = Flux.range(0, 8)
                .flatMap(i -> store.addUser("t" + i, "same", "h" + i)
                        .onErrorResume(TenantConflictException.class, ex -> {
                            conflicts.incrementAndGet();
                            return Mono.empty();
                        }))
                .collectList().block(TIMEOUT);
        assertThat(winners).hasSize(1);
        assertThat(conflicts).hasValue(7);
        assertThat(store.findByUsername("same").block(TIMEOUT).id()).isEqualTo(winners.get(0).id());
    }

    @Test
    void usersArePasswordChangedAndRemoved() {
        store.create("acme", null).block(TIMEOUT);
        store.addUser("acme", "alice", "old").block(TIMEOUT);

        assertThat(store.setPassword("acme", "Alice", "new").block(TIMEOUT).passwordHash("alice")).isEqualTo("new");
        StepVerifier.create(store.setPassword("acme", "bob", "x")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(store.setPassword("nobody", "alice", "x")).expectComplete().verify(TIMEOUT);

        assertThat(store.removeUser("acme", "alice").block(TIMEOUT).users()).isEmpty();
        StepVerifier.create(store.removeUser("acme", "alice")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(store.findByUsername("alice")).expectComplete().verify(TIMEOUT);
        // The username is free again.
        store.create("other", null).block(TIMEOUT);
        assertThat(store.addUser("other", "alice", "h").block(TIMEOUT).users()).containsKey("alice");
    }

    @Test
    void appsAreUnassignedAndDeletingATenantFreesItsUsernamesAndApps() {
        store.create("acme", null).block(TIMEOUT);
        store.addUser("acme", "alice", "h").block(TIMEOUT);
        store.assignApp("acme", "a1").block(TIMEOUT);
        store.assignApp("acme", "a2").block(TIMEOUT);

        assertThat(store.unassignApp("acme", "a1").block(TIMEOUT).apps()).containsExactly("a2");
        assertThat(store.unassignApp("acme", "a1").block(TIMEOUT).apps()).containsExactly("a2");
        StepVerifier.create(store.findByApp("a1")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(store.assignApp("nobody", "a1")).expectComplete().verify(TIMEOUT);

        assertThat(store.delete("acme").block(TIMEOUT)).isTrue();
        assertThat(store.delete("acme").block(TIMEOUT)).isFalse();
        StepVerifier.create(store.findById("acme")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(store.findByUsername("alice")).expectComplete().verify(TIMEOUT);
        StepVerifier.create(store.findByApp("a2")).expectComplete().verify(TIMEOUT);
        store.create("next", null).block(TIMEOUT);
        store.addUser("next", "alice", "h").block(TIMEOUT);
        assertThat(store.assignApp("next", "a2").block(TIMEOUT).apps()).containsExactly("a2");
    }

    @Test
    void listsEveryTenantByIdAndRenames() {
        store.create("b", "Bee").block(TIMEOUT);
        store.create("a", "Ay").block(TIMEOUT);
        assertThat(store.rename("b", "Bea").block(TIMEOUT).name()).isEqualTo("Bea");
        StepVerifier.create(store.rename("c", "x")).expectComplete().verify(TIMEOUT);
        assertThat(store.list().map(Tenant::name).collectList().block(TIMEOUT)).containsExactly("Ay", "Bea");
    }

    @Test
    void aTenantNeverShowsItsPasswordHashes() {
        store.create("acme", null).block(TIMEOUT);
        Tenant tenant = store.addUser("acme", "alice", "{bcrypt}secret-hash").block(TIMEOUT);
        assertThat(tenant.toString()).contains("alice").doesNotContain("secret-hash");
    }
}
