package io.herald.core.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.app.App;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppSecretsTest {

    private static final Instant ROTATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant GRACE_ENDS = ROTATED.plusSeconds(600);
    private static final App APP = new App("app", "key", "new-secret", null, true, null, null, null, "old-secret",
            GRACE_ENDS);

    @Test
    void theCurrentSecretAlwaysAndThePreviousOneUntilItsGraceEnds() {
        assertThat(AppSecrets.signedByValidSecret(APP, ROTATED, "new-secret"::equals)).isTrue();
        assertThat(AppSecrets.signedByValidSecret(APP, ROTATED, "old-secret"::equals)).isTrue();
        assertThat(AppSecrets.signedByValidSecret(APP, GRACE_ENDS.minusMillis(1), "old-secret"::equals)).isTrue();
        assertThat(AppSecrets.signedByValidSecret(APP, GRACE_ENDS, "old-secret"::equals)).isFalse();
        assertThat(AppSecrets.signedByValidSecret(APP, GRACE_ENDS, "new-secret"::equals)).isTrue();
        assertThat(AppSecrets.signedByValidSecret(APP, ROTATED, "another-secret"::equals)).isFalse();
    }

    @Test
    void triesEveryValidSecretEvenAfterOneMatched() {
        List<String> tried = new ArrayList<>();

        boolean signed = AppSecrets.signedByValidSecret(APP, ROTATED, secret -> {
            tried.add(secret);
            return true;
        });

        assertThat(signed).isTrue();
        assertThat(tried).containsExactly("new-secret", "old-secret");
    }

    @Test
    void refusesThePublicViewBeforeAnySecretIsTried() {
        List<String> tried = new ArrayList<>();

        assertThatThrownBy(() -> AppSecrets.signedByValidSecret(APP.withoutSecrets(), ROTATED, tried::add))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("App app has no secret in this process");
        assertThat(tried).isEmpty();
    }

    @Test
    void anEmptyHmacKeyIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> Hmac.sha256Hex("", "message"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty secret");
    }
}
