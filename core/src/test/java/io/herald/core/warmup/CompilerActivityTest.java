package io.herald.core.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a warm-up may end early: the compilers spent less than the threshold in the last second. */
class CompilerActivityTest {

    private final AtomicLong compiled = new AtomicLong();
    private final AtomicLong now = new AtomicLong();

    private CompilerActivity activity(Duration threshold) {
        return new CompilerActivity(compiled::get, now::get, threshold);
    }

    private void second(long compiledMillis) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        compiled.addAndGet(compiledMillis);
    }

    @Test
    void quietOnlyAfterTwoSecondsAndASecondWithLessCompilationThanTheThreshold() {
        CompilerActivity compilers = activity(Duration.ofMillis(20));
        second(0);
        // never in the first two seconds, however little was compiled
        assertThat(compilers.quiet()).isFalse();
        second(500);
        assertThat(compilers.quiet()).isFalse();
        second(19);
        assertThat(compilers.quiet()).isTrue();
        // busy again: not quiet
        second(300);
        assertThat(compilers.quiet()).isFalse();
        // within a second nothing is sampled again: the last answer stands
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(compilers.quiet()).isFalse();
    }

    @Test
    void aZeroThresholdOrAJvmWithoutCompilationTimeIsNeverQuiet() {
        CompilerActivity never = activity(Duration.ZERO);
        CompilerActivity unknown = new CompilerActivity(() -> -1, now::get, Duration.ofMillis(20));
        for (int i = 0; i < 5; i++) {
            second(0);
            assertThat(never.quiet()).isFalse();
            assertThat(unknown.quiet()).isFalse();
        }
    }
}
