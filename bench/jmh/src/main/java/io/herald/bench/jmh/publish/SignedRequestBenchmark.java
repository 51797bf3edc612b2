package io.herald.bench.jmh.publish;

import io.herald.core.app.App;
import io.herald.core.signature.Hmac;
import io.herald.core.signature.RequestSignature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
 * The signature check of a whole signed {@code POST /apps/{id}/events} (issue 10): query
 * canonicalisation, body MD5, HMAC-SHA256 and the constant-time comparisons, as
 * {@link RequestSignature#verify} does them for every request — next to the two digests done the
 * way they were before this node kept one {@code Mac} and one MD5 digest per thread, for comparison.
 * Run: {@code java -jar bench/jmh/target/herald-benchmarks.jar SignedRequestBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SignedRequestBenchmark {

    private static final HexFormat HEX = HexFormat.of();
    private static final long NOW = 1_796_000_000L;

    private final App app = new App("demo-app", "demo-key", "demo-secret", "Demo", true, null, null, List.of(), null,
            null);
    private final RequestSignature signature = new RequestSignature(
            Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
    private final byte[] body = "{\"name\":\"bench-event\",\"channel\":\"nobody\",\"data\":\"{}\"}"
            .getBytes(StandardCharsets.UTF_8);
    private final String path = "/apps/demo-app/events";
    /** The decoded query as the HTTP layer hands it over: in the order sent, signature last. */
    private final Map<String, String> params = new LinkedHashMap<>();

    public SignedRequestBenchmark() {
        params.put("auth_key", "demo-key");
        params.put("auth_timestamp", Long.toString(NOW));
        params.put("auth_version", "1.0");
        params.put("body_md5", Hmac.md5Hex(body));
        params.put("auth_signature", RequestSignature.sign("demo-secret", "POST", path, params));
    }

    /** The whole check of one request, as the publish handler pays it. */
    @Benchmark
    public Map<String, String> verifyRequest() {
        signature.verify(app, "POST", path, params, body);
        return params;
    }

    /** Only the canonical string to sign (sorting and joining the query). */
    @Benchmark
    public String stringToSign() {
        return RequestSignature.stringToSign("POST", path, params);
    }

    /** The HMAC as done now: this thread's Mac, already keyed with the app's secret. */
    @Benchmark
    public String hmacPerThread() {
        return Hmac.sha256Hex(app.secret(), "POST\n/apps/demo-app/events\nauth_key=demo-key");
    }

    /** The HMAC as it was done before: {@code Mac.getInstance} and {@code init} per request. */
    @Benchmark
    public String hmacGetInstancePerCall() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(app.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HEX.formatHex(mac.doFinal("POST\n/apps/demo-app/events\nauth_key=demo-key"
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** The body MD5 as done now: this thread's digest. */
    @Benchmark
    public String md5PerThread() {
        return Hmac.md5Hex(body);
    }

    /** The body MD5 as it was done before: {@code MessageDigest.getInstance} per request. */
    @Benchmark
    public String md5GetInstancePerCall() throws Exception {
        return HEX.formatHex(MessageDigest.getInstance("MD5").digest(body));
    }
}
