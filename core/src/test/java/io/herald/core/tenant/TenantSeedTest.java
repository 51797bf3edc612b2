package io.herald.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tenants of {@code herald.tenants}: validated, and written to the store where missing only. */
class TenantSeedTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InMemoryTenantStore store = new InMemoryTenantStore();
    private final TenantPasswords passwords = new TenantPasswords();

    private static TenantsProperties.TenantProperties tenant(String id, List<String> apps,
            TenantsProperties.UserProperties... users) {
        return new TenantsProperties.TenantProperties(id, null, apps, List.of(users));
    }

    @Test
    void writesWhatIsMissingAndKeepsWhatTheAdminApiChanged() {
        store.create("acme", "Acme").block(WAIT);
        store.addUser("acme", "alice", "{noop}changed-by-the-admin").block(WAIT);
        store.create("other", null).block(WAIT);
        store.assignApp("other", "taken").block(WAIT);
        String bobsHash = passwords.hash("bob-password").block(WAIT);

        TenantsProperties configured = new TenantsProperties(List.of(
                tenant("acme", List.of("app-1", "taken"),
                        new TenantsProperties.UserProperties("alice", "configured-password", null),
                        new TenantsProperties.UserProperties("carol", "carol-password", null)),
                tenant("globex", List.of("app-2"), new TenantsProperties.UserProperties("bob", null, bobsHash))));
        try (TenantSeed seed = new TenantSeed(configured, store, passwords)) {
            await().atMost(WAIT).until(() -> store.findById("globex").blockOptional(WAIT).isPresent()
                    && !store.findById("globex").block(WAIT).apps().isEmpty());
        }
        Tenant acme = store.findById("acme").block(WAIT);
        assertThat(acme.name()).isEqualTo("Acme");
        assertThat(acme.passwordHash("alice")).isEqualTo("{noop}changed-by-the-admin");
        assertThat(passwords.matches("carol-password", acme.passwordHash("carol")).block(WAIT)).isTrue();
        assertThat(acme.apps()).containsExactly("app-1");
        assertThat(store.findByApp("taken").block(WAIT).id()).isEqualTo("other");
        Tenant globex = store.findById("globex").block(WAIT);
        assertThat(globex.passwordHash("bob")).isEqualTo(bobsHash);
        assertThat(globex.apps()).containsExactly("app-2");
    }

    @Test
    void badConfigurationIsRefusedNamingEveryPropertyAndNoPassword() {
        assertThatThrownBy(() -> new TenantsProperties(List.of(
                tenant("bad id", List.of("ok", "not ok")),
                tenant("t2", List.of(), new TenantsProperties.UserProperties("x y", "short", null),
                        new TenantsProperties.UserProperties("both", "long-enough-1", "{bcrypt}x"),
                        new TenantsProperties.UserProperties("nohash", null, "$2a$10$abc")))))
                .hasMessageContaining("herald.tenants[0].id").hasMessageContaining("herald.tenants[0].apps[1]")
                .hasMessageContaining("herald.tenants[1].users[0].username")
                .hasMessageContaining("herald.tenants[1].users[0].password: password must be at least 8")
                .hasMessageContaining("herald.tenants[1].users[1] needs exactly one")
                .hasMessageContaining("herald.tenants[1].users[2].password-hash must name its algorithm")
                .message().doesNotContain("short").doesNotContain("long-enough-1");
    }
}
