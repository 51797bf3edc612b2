package io.herald.bench.jmh.warm;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.app.App;
import io.herald.core.app.AppFeatures;
import io.herald.core.app.AppLimits;
import io.herald.core.ratelimit.AppQuotas;
import io.herald.core.ratelimit.InMemoryRateLimiter;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.publish.web.ApiQuotas;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The quota admissions of one signed publish (API request rate, daily messages, publish rate) of
 * an app with every HTTP API quota set and never refused, on one node's leases over the in-memory
 * limiter: {@code asBefore} is what {@code ApiQuotas} did until stop 15 (three {@link Quota}s made
 * per request, three {@link LeasedRateLimiter#admit} chains subscribed), {@code apiQuotas} what it
 * does now (quotas made once per app, {@link LeasedRateLimiter#tryAdmitLocally} while the leases
 * hold the units). Run: {@code java -jar bench/jmh/target/herald-benchmarks.jar QuotaAdmissionBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class QuotaAdmissionBenchmark {

    private final App app = new App("demo-app", "demo-key", "demo-secret", "Demo", true,
            new AppLimits(0, 1_000_000_000, 10, 10 * 1024, 100, 1024, 1_000_000_000, 1_000_000_000_000L,
                    ZoneOffset.UTC),
            AppFeatures.DEFAULTS, List.of(), null, null);
    private final AppQuotas appQuotas = new AppQuotas(Duration.ofSeconds(1));
    private final LeasedRateLimiter limiter = new LeasedRateLimiter(new InMemoryRateLimiter(Clock.systemUTC()),
            Clock.systemUTC(), Duration.ofSeconds(1), Duration.ofSeconds(2), CircuitBreaker.ofDefaults("bench"), 1);
    private final ApiQuotas apiQuotas = new ApiQuotas(limiter, appQuotas, new SimpleMeterRegistry());

    @Benchmark
    public void asBefore(Blackhole hole) {
        Quota api = appQuotas.apiRequestRate(app).orElseThrow();
        limiter.admit(api, 1).subscribe(hole::consume);
        Quota daily = appQuotas.dailyMessages(app).orElseThrow();
        Quota rate = appQuotas.publishRate(app).orElseThrow();
        limiter.admit(daily, 1).flatMap(day -> limiter.admit(rate, 1)).subscribe(hole::consume);
    }

    @Benchmark
    public void apiQuotas(Blackhole hole) {
        apiQuotas.admitRequest(app).subscribe(hole::consume);
        apiQuotas.admitMessages(app, 1).subscribe(hole::consume);
    }
}
