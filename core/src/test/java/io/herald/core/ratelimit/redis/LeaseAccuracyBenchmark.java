package io.herald.core.ratelimit.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.ratelimit.LeasedRateLimiter;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import io.herald.core.redis.RedisConnections;
import io.herald.core.testing.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The accuracy figure of docs/benchmarks.md ("Quota accuracy"): 3 publish nodes (three
 * {@link LeasedRateLimiter}s, each with its own connection, on its own thread) hammer one app
 * whose limit is L msg/s over one real Redis for 10 s of wall-clock time, 5 runs; prints the
 * admitted rate as a multiple of L. Not part of the suite (it takes a minute and measures time);
 * run it with
 * {@code ./mvnw -B -q test -pl core -Dtest=LeaseAccuracyBenchmark -Dherald.bench=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class LeaseAccuracyBenchmark {

    private static final long LIMIT = 1_000;
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final int NODES = 3;
    private static final int RUNS = 5;

    @Test
    void threeNodesOverOneRedis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            List<Double> ratios = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                String prefix = RedisServer.uniquePrefix();
                Quota quota = Quota.perSecond("bench-" + run, Resource.PUBLISH_MESSAGES, LIMIT, LIMIT / 2);
                List<RedisConnections> connections = new ArrayList<>();
                List<LeasedRateLimiter> nodes = new ArrayList<>();
                for (int n = 0; n < NODES; n++) {
                    RedisConnections c = new RedisConnections(RedisGcraRateLimiterTest.properties(redis.uri(), prefix));
                    connections.add(c);
                    nodes.add(new LeasedRateLimiter(new RedisGcraRateLimiter(c, Clock.systemUTC()), Clock.systemUTC(),
                            Duration.ofSeconds(1), Duration.ofSeconds(2), CircuitBreaker.ofDefaults("bench"), NODES));
                }
                AtomicLong admitted = new AtomicLong();
                AtomicLong refused = new AtomicLong();
                long end = System.nanoTime() + WINDOW.toNanos();
                List<Thread> threads = new ArrayList<>();
                for (LeasedRateLimiter node : nodes) {
                    Thread thread = new Thread(() -> {
                        while (System.nanoTime() < end) {
                            if (node.admit(quota, 1).block(Duration.ofSeconds(5)).admitted()) {
                                admitted.incrementAndGet();
                            }
                            else {
                                refused.incrementAndGet();
                            }
                        }
                    });
                    threads.add(thread);
                    thread.start();
                }
                for (Thread thread : threads) {
                    thread.join();
                }
                double ratio = admitted.get() / (double) (LIMIT * WINDOW.toSeconds());
                ratios.add(ratio);
                System.out.printf("run %d: admitted %d in %d s (limit %d/s, burst %d, lease %d): %.4f x L; refused %d%n",
                        run, admitted.get(), WINDOW.toSeconds(), LIMIT, quota.burst(), LeasedRateLimiter.leaseSize(quota),
                        ratio, refused.get());
                nodes.forEach(LeasedRateLimiter::close);
                connections.forEach(RedisConnections::close);
            }
            double min = ratios.stream().mapToDouble(d -> d).min().orElseThrow();
            double max = ratios.stream().mapToDouble(d -> d).max().orElseThrow();
            double mean = ratios.stream().mapToDouble(d -> d).average().orElseThrow();
            System.out.printf("QUOTA ACCURACY: %d nodes, L=%d/s, %d s windows, %d runs: mean %.4f x L, min %.4f, max %.4f%n",
                    NODES, LIMIT, WINDOW.toSeconds(), RUNS, mean, min, max);
        }
    }
}
