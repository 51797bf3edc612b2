package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The whole tool against {@link FakePusherServer}: short runs, each bounded by a timeout. */
@Timeout(60)
class LoadTestAgainstFakeServerTest {

    private FakePusherServer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        server = new FakePusherServer("demo-app", "demo-key", "demo-secret").start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private List<String> args(String... extra) {
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(server.port()),
                "--subscribers", "20", "--rate", "100", "--duration", "1", "--warmup", "1", "--drain", "3",
                "--threads", "2",
                // Latency is not what these tests check (timing belongs in benchmarks): the p99
                // limit equals the test timeout, so only loss, errors and disconnects decide.
                "--max-p99-ms", "60000"));
        args.addAll(List.of(extra));
        return args;
    }

    private Report runSingle(String... extra) {
        Options o = Options.parse(args(extra).toArray(String[]::new));
        LoadTest.Outcome outcome = new LoadTest(o, new PrintStream(out, true, StandardCharsets.UTF_8)).execute();
        assertThat(outcome.reports()).hasSize(1);
        return outcome.reports().get(0);
    }

    @Test
    void cleanRunDeliversEverythingOnceAndAnswersPings() {
        Report r = runSingle();
        assertThat(r.published()).isEqualTo(100);
        assertThat(r.acknowledged()).isEqualTo(100);
        assertThat(r.publishErrors()).isZero();
        assertThat(r.expectedDeliveries()).isEqualTo(20 * 100);
        assertThat(r.deliveries()).isEqualTo(20 * 100);
        assertThat(r.latencySamples()).isEqualTo(20 * 100);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.disconnects()).isZero();
        // every delivery was timed, and the percentiles are those of one distribution
        assertThat(r.latencyP50Ms()).isPositive();
        assertThat(r.latencyP50Ms()).isLessThanOrEqualTo(r.latencyP90Ms());
        assertThat(r.latencyP90Ms()).isLessThanOrEqualTo(r.latencyP99Ms());
        assertThat(r.latencyP99Ms()).isLessThanOrEqualTo(r.latencyP999Ms());
        assertThat(r.latencyP999Ms()).isLessThanOrEqualTo(r.latencyMaxMs());
        assertThat(r.withinLimits()).isTrue();
        // warm-up (100) + measured (100) + the pre-flight probe
        assertThat(server.published.get()).isEqualTo(201);
        assertThat(server.pongs.get()).isEqualTo(20);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Herald load test report", "p99.9");
    }

    @Test
    void probeSubscribersAreTimedApartAndAlsoCounted() {
        Report r = runSingle("--probe-subscribers", "3", "--publisher-loop", "shared");
        assertThat(r.lost()).isZero();
        assertThat(r.deliveries()).isEqualTo(20 * 100);
        assertThat(r.latencySamples()).isEqualTo(20 * 100);
        // the probes' deliveries are in both distributions
        assertThat(r.probeLatencySamples()).isEqualTo(3 * 100);
        assertThat(r.probeLatencyP50Ms()).isLessThanOrEqualTo(r.probeLatencyP99Ms());
        assertThat(r.dedicatedPublisherLoop()).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("probe latency", "(shared loop)");
    }

    @Test
    void subscribersSpreadOverChannelsExpectOnlyTheirChannelsMessages() {
        Report r = runSingle("--channels", "4");
        // 100 measured messages, 25 per channel; 20 subscribers, 5 per channel
        assertThat(r.channels()).isEqualTo(4);
        assertThat(r.expectedDeliveries()).isEqualTo(20 * 25);
        assertThat(r.deliveries()).isEqualTo(20 * 25);
        assertThat(r.lost()).isZero();
        assertThat(r.withinLimits()).isTrue();
    }

    @Test
    void serverPidGivesCpuPerDeliveryAndRss() {
        // this test's own JVM stands in for the server process
        Report r = runSingle("--server-pid", Long.toString(ProcessHandle.current().pid()));
        assertThat(r.serverCpuSeconds()).isNotNull().isPositive();
        assertThat(r.serverCpuMicrosPerDelivery()).isEqualTo(
                Math.round(r.serverCpuSeconds() * 1e6 / r.latencySamples() * 1000) / 1000.0);
        assertThat(r.serverCpuMicrosPerPublish()).isGreaterThan(r.serverCpuMicrosPerDelivery());
        assertThat(r.serverRssKibAfterConnect()).isPositive();
        assertThat(r.connectP50Ms()).isPositive().isLessThanOrEqualTo(r.connectP99Ms());
    }

    @Test
    void connectPhaseIsReportedPerSecondOfTheRamp() {
        // 20 subscribers started at 10/s: the ramp spans at least two seconds (more when the timer lags)
        Report r = runSingle("--connect-rate", "10");
        assertThat(r.connectBySecond()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(r.connectBySecond()).extracting(Report.ConnectSecond::second)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, r.connectBySecond().size()).boxed().toList());
        assertThat(r.connectBySecond().stream().mapToLong(Report.ConnectSecond::connections).sum()).isEqualTo(20);
        assertThat(r.connectBySecond().get(0).connections()).isPositive();
        assertThat(r.connectBySecond()).filteredOn(s -> s.connections() > 0).allSatisfy(s -> assertThat(s.p50Ms()).isPositive()
                .isLessThanOrEqualTo(s.p99Ms()));
        assertThat(r.connectsPerSecond()).isEqualTo(
                Math.round(20 * 1000.0 / r.connectMillis() * 1000) / 1000.0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("second 1").contains("connections/s subscribed");
    }

    @Test
    void holdKeepsTheConnectionsIdleAndPublishesNothing() {
        Options o = Options.parse(args("--hold", "1").toArray(String[]::new));
        LoadTest.Outcome outcome = new LoadTest(o, new PrintStream(out, true, StandardCharsets.UTF_8)).execute();
        assertThat(outcome.reports()).isEmpty();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("holding 20 idle connections for 1 s")
                .contains("held; 20 still open, 0 closed by the server")
                .doesNotContain("publishing");
    }

    @Test
    void withoutServerPidNoServerFiguresAreReported() {
        Report r = runSingle();
        assertThat(r.serverCpuSeconds()).isNull();
        assertThat(r.serverCpuMicrosPerDelivery()).isNull();
        assertThat(r.serverRssKibAfterConnect()).isNull();
    }

    @Test
    void nchanPeerModeSubscribesByUrlAndPublishesTheBareBody() {
        try (FakeNchanServer nchan = new FakeNchanServer().start()) {
            Options o = Options.parse("--port", Integer.toString(nchan.port()), "--protocol", "nchan",
                    "--subscribers", "20", "--channels", "5", "--rate", "100", "--duration", "1", "--warmup", "1",
                    "--drain", "3", "--threads", "2", "--max-p99-ms", "60000");
            LoadTest.Outcome outcome = new LoadTest(o, new PrintStream(out, true, StandardCharsets.UTF_8)).execute();
            Report r = outcome.reports().get(0);
            assertThat(r.acknowledged()).isEqualTo(100);
            assertThat(r.expectedDeliveries()).isEqualTo(20 * 20);
            assertThat(r.deliveries()).isEqualTo(20 * 20);
            assertThat(r.lost()).isZero();
            assertThat(r.duplicates()).isZero();
            assertThat(r.withinLimits()).isTrue();
            // warm-up + measured + the pre-flight probe
            assertThat(nchan.published.get()).isEqualTo(201);
        }
    }

    @Test
    void droppedDeliveriesAreReportedAsLoss() {
        server.dropEvery = 10;
        Report r = runSingle();
        // the first subscriber loses every 10th of 201 deliveries; about 10 fall in the measured phase
        assertThat(r.lost()).isBetween(9L, 11L);
        assertThat(r.subscribersWithLoss()).isEqualTo(1);
        assertThat(r.gaps()).isBetween(1L, r.lost());
        assertThat(r.deliveries()).isEqualTo(r.expectedDeliveries() - r.lost());
        assertThat(r.drainTimedOut()).isTrue();
        assertThat(r.withinLimits()).isFalse();
    }

    @Test
    void duplicatedDeliveriesAreReported() {
        server.duplicateEvery = 20;
        Report r = runSingle("--drain", "1");
        assertThat(r.duplicates()).isBetween(9L, 11L);
        assertThat(r.lost()).isZero();
        assertThat(r.deliveries()).isEqualTo(r.expectedDeliveries());
    }

    @Test
    void findMaxStepsUpAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("find-max.json");
        int code = LoadTest.run(args("--find-max", "--steps", "20,40", "--warmup", "0", "--json", json.toString())
                .toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode root = Frames.MAPPER.readTree(Files.readString(json));
        assertThat(root.get("mode").asString()).isEqualTo("find-max");
        assertThat(root.get("maxPassingRate").asInt()).isEqualTo(40);
        assertThat(root.get("steps")).hasSize(2);
        assertThat(root.get("steps").get(1).get("deliveries").asLong()).isEqualTo(20 * 40);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Highest rate with p99 < 60000 ms and zero loss: 40 msg/s");
    }

    @Test
    void findMaxStopsAtTheFirstFailingStep() {
        server.dropEvery = 50;
        Options o = Options.parse(args("--find-max", "--steps", "20,100,200", "--warmup", "0", "--drain", "1")
                .toArray(String[]::new));
        LoadTest.Outcome outcome = new LoadTest(o, new PrintStream(out, true, StandardCharsets.UTF_8)).execute();
        // 20 msg/s x 1 s: the first subscriber gets 20 (+1 probe) deliveries, under the drop period
        assertThat(outcome.reports()).hasSize(2);
        assertThat(outcome.maxPassingRate()).isEqualTo(20);
        assertThat(outcome.reports().get(1).lost()).isPositive();
    }

    @Test
    void wrongSecretFailsClearlyBeforeConnecting() {
        int code = LoadTest.run(args("--secret", "wrong").toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("HTTP 401", "--key and --secret must match");
    }

    @Test
    void wrongKeyFailsClearlyWhenSubscribing() {
        server.wsKey = "other-key";
        int code = LoadTest.run(args().toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("/app/demo-key", "server closed the connection with 4001 Application does not exist");
    }

    @Test
    void closedPortFailsWithAClearMessage() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        int code = LoadTest.run(new String[] {"--port", Integer.toString(port), "--duration", "1"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("connection refused", "Is the Herald server running on 127.0.0.1:" + port);
    }
}
