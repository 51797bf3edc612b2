package io.herald.bench.jmh.signature;

import io.herald.core.signature.Hmac;
import java.nio.charset.StandardCharsets;
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

/**
 * The two digests every signed HTTP API request pays: the body's MD5 and the HMAC-SHA256 of the
 * string to sign. Run: {@code java -jar bench/jmh/target/herald-benchmarks.jar HmacBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HmacBenchmark {

    private final String secret = "7ad3773142a6692b25b8";
    private final byte[] body = "{\"name\":\"my-event\",\"channels\":[\"my-channel\"],\"data\":\"{\\\"message\\\":\\\"hello world\\\"}\"}"
            .getBytes(StandardCharsets.UTF_8);
    private final String stringToSign = "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179"
            + "&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f";

    @Benchmark
    public String bodyMd5() {
        return Hmac.md5Hex(body);
    }

    @Benchmark
    public String requestSignature() {
        return Hmac.sha256Hex(secret, stringToSign);
    }
}
