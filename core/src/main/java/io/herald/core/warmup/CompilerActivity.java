package io.herald.core.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether the JIT compilers have gone quiet: less than a threshold of compilation time (summed
 * over the compiler threads, {@link CompilationMXBean#getTotalCompilationTime()}) in the last
 * whole second. Sampled at most once a second; never quiet in the first two seconds (C1 is busy
 * then whatever runs), nor on a JVM that does not report compilation time. Not thread-safe: one
 * warm-up loop asks it.
 */
final class CompilerActivity {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier compilationMillis;
    private final LongSupplier nanoTime;
    private final long thresholdMillis;
    private final long start;
    private long sampledAt;
    private long sampledMillis;
    private boolean quiet;

    CompilerActivity(Duration threshold) {
        this(compilationMillis(), System::nanoTime, threshold);
    }

    CompilerActivity(LongSupplier compilationMillis, LongSupplier nanoTime, Duration threshold) {
        this.compilationMillis = compilationMillis;
        this.nanoTime = nanoTime;
        this.thresholdMillis = threshold.toMillis();
        this.start = nanoTime.getAsLong();
        this.sampledAt = start;
        this.sampledMillis = compilationMillis.getAsLong();
    }

    private static LongSupplier compilationMillis() {
        CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
        if (bean == null || !bean.isCompilationTimeMonitoringSupported()) {
            return () -> -1;
        }
        return bean::getTotalCompilationTime;
    }

    /** Whether the compilers spent under the threshold in the last whole second. */
    boolean quiet() {
        long now = nanoTime.getAsLong();
        if (now - sampledAt >= SECOND) {
            long millis = compilationMillis.getAsLong();
            quiet = thresholdMillis > 0 && millis >= 0 && now - start >= 2 * SECOND
                    && (millis - sampledMillis) * SECOND < thresholdMillis * (now - sampledAt);
            sampledAt = now;
            sampledMillis = millis;
        }
        return quiet;
    }
}
