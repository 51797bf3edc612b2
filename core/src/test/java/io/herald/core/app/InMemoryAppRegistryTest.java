package io.herald.core.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryAppRegistryTest extends AppRegistryContractTest {

    @Override
    protected AppRegistry newRegistry() {
        return new InMemoryAppRegistry(List.of());
    }

    @Test
    void seedsTheConfiguredAppsAndRejectsDuplicates() {
        App app = app("a1", "k1");

        assertThat(new InMemoryAppRegistry(List.of(app)).findByKey("k1").block(TIMEOUT)).isEqualTo(app);
        assertThatThrownBy(() -> new InMemoryAppRegistry(List.of(app, app("a2", "k1"))))
                .hasMessageContaining("same id or key").hasMessageNotContaining(app.secret());
    }
}
