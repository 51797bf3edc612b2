package io.herald.bench.scaling;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A shard's CPU per PUBLISH when the publisher is what a publish node is: <b>one Lettuce
 * connection</b> with W commands in flight (Lettuce writes and flushes each command; how many
 * reach Redis in one read depends on W), S subscribing connections each standing for an edge.
 * Complements {@code bench/redis-shard-capacity.sh} (redis-benchmark). The figure is the
 * redis-server's {@code utime + stime} over the run divided by the publishes.
 *
 * <p>Not part of the suite (it measures time); it starts its own {@code redis-server} on core 0
 * ({@code taskset -c 0}); run Maven on core 1 so the publisher stays off it:
 * {@code taskset -c 1 ./mvnw -B -q test -pl bench -Dtest=LettucePublishBenchmark -Dherald.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class LettucePublishBenchmark {

    private static final int PUBLISHES = 100_000;
    private static final int[] IN_FLIGHT = {1, 16, 256};
    private static final int[] SUBSCRIBERS = {0, 16};
    private static final int ROUNDS = 2;
    private static final byte[] CHANNEL = "herald-bench:demo-app:scaling".getBytes(StandardCharsets.UTF_8);

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void cpuPerPublishOverOneLettuceConnection() throws Exception {
        byte[] payload = new byte[256];
        Arrays.fill(payload, (byte) 'x');
        System.out.println("| round | in flight | subscribers | publishes | publishes/s | redis µs per publish |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int round = 1; round <= ROUNDS; round++) {
            for (int subscribers : SUBSCRIBERS) {
                for (int inFlight : IN_FLIGHT) {
                    int port = freePort();
                    Process redis = new ProcessBuilder("taskset", "-c", "0", "redis-server", "--port",
                            String.valueOf(port), "--save", "", "--appendonly", "no",
                            "--client-output-buffer-limit", "pubsub 0 0 0").redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
                    try {
                        StatefulRedisConnection<byte[], byte[]> publisher = connect(client);
                        List<StatefulRedisPubSubConnection<byte[], byte[]>> subs = new ArrayList<>();
                        for (int s = 0; s < subscribers; s++) {
                            StatefulRedisPubSubConnection<byte[], byte[]> sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
                            sub.sync().subscribe(CHANNEL);
                            subs.add(sub);
                        }
                        RedisAsyncCommands<byte[], byte[]> async = publisher.async();
                        for (int i = 0; i < 20_000; i++) {
                            async.publish(CHANNEL, payload).get();
                        }
                        long pid = redis.pid();
                        long before = cpuTicks(pid);
                        long start = System.nanoTime();
                        Semaphore window = new Semaphore(inFlight);
                        for (int i = 0; i < PUBLISHES; i++) {
                            window.acquire();
                            async.publish(CHANNEL, payload).whenComplete((n, e) -> window.release());
                        }
                        window.acquire(inFlight);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        Thread.sleep(1_000); // the subscribers' buffers drain
                        long ticks = cpuTicks(pid) - before;
                        double micros = ticks * 1e6 / 100.0 / PUBLISHES; // CLK_TCK is 100 on Linux
                        System.out.printf("| %d | %d | %d | %d | %.0f | %.3f |%n", round, inFlight, subscribers,
                                PUBLISHES, PUBLISHES / seconds, micros);
                        subs.forEach(StatefulRedisPubSubConnection::close);
                        publisher.close();
                    } finally {
                        client.shutdown();
                        redis.destroy();
                        redis.waitFor(5, TimeUnit.SECONDS);
                    }
                }
            }
        }
        System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static StatefulRedisConnection<byte[], byte[]> connect(RedisClient client) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return client.connect(ByteArrayCodec.INSTANCE);
            } catch (RuntimeException e) {
                if (attempt > 50) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14 and 15 of the whole line are 12 and 13 after "pid (comm) "
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
