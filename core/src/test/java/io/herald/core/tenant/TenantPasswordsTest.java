package io.herald.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Password hashes: bcrypt through the delegating encoder, computed off the event loops. */
class TenantPasswordsTest {

    private final TenantPasswords passwords = new TenantPasswords();

    @Test
    void hashesWithBcryptAndMatchesOnlyTheRightPassword() {
        String hash = passwords.hash("correct horse").block(Duration.ofSeconds(30));
        assertThat(hash).startsWith("{bcrypt}$2").doesNotContain("correct horse");
        assertThat(passwords.matches("correct horse", hash).block(Duration.ofSeconds(30))).isTrue();
        assertThat(passwords.matches("wrong horse", hash).block(Duration.ofSeconds(30))).isFalse();
        assertThat(passwords.matches("anything", null).block(Duration.ofSeconds(30))).isFalse();
        assertThat(passwords.matches("anything", "{bcrypt}not-a-hash").block(Duration.ofSeconds(30))).isFalse();
    }

    @Test
    void neverHashesOnTheCallersEventLoop() {
        // A parallel (non-blocking) thread is where a WebFlux handler runs; BlockHound-style rules apply there.
        String thread = Mono.defer(() -> passwords.hash("correct horse").map(h -> Thread.currentThread().getName()))
                .subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(30));
        assertThat(thread).contains("boundedElastic");
    }

    @Test
    void refusesShortAndOverlongPasswordsWithoutRepeatingThem() {
        assertThat(TenantPasswords.problem("short")).contains("at least 8").doesNotContain("short ");
        assertThat(TenantPasswords.problem("x".repeat(73))).contains("at most 72");
        assertThat(TenantPasswords.problem("long enough")).isNull();
    }
}
