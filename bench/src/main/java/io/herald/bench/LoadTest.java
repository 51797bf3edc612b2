package io.herald.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import reactor.netty.resources.LoopResources;

/**
 * Herald load tool: N WebSocket subscribers on one channel, a fixed-rate publisher on the HTTP
 * API, end-to-end latency and loss/duplicate accounting. See {@code bench/README.md}.
 *
 * <p>Exit status: 0 run completed (whatever the figures), 2 bad arguments, 3 the server could not
 * be reached, rejected the credentials or the subscriptions, 1 anything else.
 */
public final class LoadTest {

    /** The reports of a run: one for a single run, one per step for {@code --find-max}. */
    record Outcome(List<Report> reports, Integer maxPassingRate) {
    }

    private final Options options;
    private final PrintStream out;
    private final ServerProbe probe;
    /** What connecting cost, measured once before the first run. */
    private Report.Connect connect;

    LoadTest(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.probe = options.serverPids.isEmpty() ? null : new ServerProbe(options.serverPids);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        }
        catch (IllegalArgumentException ex) {
            err.println("herald-bench: " + ex.getMessage());
            err.println("Try --help.");
            return 2;
        }
        if (options.help) {
            out.print(Options.USAGE);
            return 0;
        }
        try {
            Outcome outcome = new LoadTest(options, out).execute();
            if (options.json != null && (options.findMax || !outcome.reports().isEmpty())) {
                writeJson(options, outcome);
                out.println("JSON report written to " + options.json.toAbsolutePath());
            }
            return 0;
        }
        catch (BenchException ex) {
            err.println("herald-bench: " + ex.getMessage());
            return 3;
        }
        catch (RuntimeException ex) {
            err.println("herald-bench: unexpected failure: " + ex);
            ex.printStackTrace(err);
            return 1;
        }
    }

    Outcome execute() {
        LoopResources loops = LoopResources.create("herald-bench", options.threads, true);
        // One thread each: the publisher's and the probe subscribers' loops carry little work,
        // so their threads are woken as their sockets become readable.
        LoopResources publisherLoops = options.dedicatedPublisherLoop
                ? LoopResources.create("herald-bench-publisher", 1, true) : loops;
        LoopResources probeLoops = options.probeSubscribers > 0
                ? LoopResources.create("herald-bench-probe", 1, true) : loops;
        try (Publisher publisher = new Publisher(options, publisherLoops)) {
            out.println("herald-bench: " + options.describeTarget());
            out.println("  pre-flight: " + (options.protocol == Options.Protocol.NCHAN ? "" : "signed ") + "POST "
                    + options.baseHttpUrl() + options.publishPath(options.channelOfMessage(0)));
            publisher.preflight();
            try (SubscriberPool pool = new SubscriberPool(options, loops, probeLoops)) {
                long t0 = System.nanoTime();
                out.printf(Locale.ROOT, "  connecting %d subscribers to %s%n", options.subscribers,
                        options.wsUrl(options.channelOfSubscriber(0)));
                pool.connectAll(out);
                long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                connect = Report.Connect.of(connectMillis, pool.connectHistogram(), pool.connectHistogramsBySecond(),
                        probe == null ? null : probe.rssKib());
                out.printf(Locale.ROOT, "  %d subscribed to %s in %d ms, %.1f/s (per connection p50 %.2f ms, p99 %.2f ms)%n",
                        pool.subscribed(), options.channels == 1 ? "'" + options.channel + "'"
                                : options.channels + " channels", connectMillis, connect.perSecond(), connect.p50Ms(),
                        connect.p99Ms());
                if (options.holdSeconds > 0) {
                    return hold(pool);
                }
                return options.findMax ? findMax(publisher, pool) : single(publisher, pool);
            }
        }
        finally {
            for (LoopResources l : new LinkedHashSet<>(List.of(loops, publisherLoops, probeLoops))) {
                try {
                    l.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
                }
                catch (IllegalStateException ex) {
                    // Slow to stop on a saturated machine: the threads are daemons and end with the
                    // JVM, and the report is already printed, so this must not fail the run.
                    out.println("  note: " + ex.getMessage());
                }
            }
        }
    }

    /** {@code --hold}: the connections stay open and idle (pings answered), then close; no report. */
    private Outcome hold(SubscriberPool pool) {
        out.printf(Locale.ROOT, "  holding %d idle connections for %d s%n", pool.subscribed(), options.holdSeconds);
        try {
            Thread.sleep(TimeUnit.SECONDS.toMillis(options.holdSeconds));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        out.printf(Locale.ROOT, "  held; %d still open, %d closed by the server%n", pool.open(), pool.unexpectedCloses());
        return new Outcome(List.of(), null);
    }

    private Outcome single(Publisher publisher, SubscriberPool pool) {
        out.printf(Locale.ROOT, "  publishing %d msg/s for %d s (+%d s warm-up)%n", options.rate,
                options.durationSeconds, options.warmupSeconds);
        Report report = runOnce(publisher, pool, options.rate, 1);
        out.println();
        out.println("Herald load test report");
        out.print(report.toText());
        return new Outcome(List.of(report), report.withinLimits() ? report.rate() : null);
    }

    private Outcome findMax(Publisher publisher, SubscriberPool pool) {
        out.printf(Locale.ROOT, "  find-max: rates %s, %d s each (+%d s warm-up); limit p99 < %s ms, no loss%n",
                options.steps, options.durationSeconds, options.warmupSeconds, Report.fmt(options.maxP99Ms));
        out.println();
        out.println(Report.rowHeader());
        List<Report> reports = new ArrayList<>();
        Integer best = null;
        int runId = 1;
        for (int rate : options.steps) {
            Report report = runOnce(publisher, pool, rate, runId++);
            reports.add(report);
            out.println(report.toRow());
            if (!report.withinLimits()) {
                break;
            }
            best = rate;
        }
        out.println();
        if (best == null) {
            out.printf(Locale.ROOT, "No rate passed (p99 < %s ms, zero loss, no publish errors); lowest tried: %d msg/s%n",
                    Report.fmt(options.maxP99Ms), options.steps.get(0));
        }
        else {
            out.printf(Locale.ROOT, "Highest rate with p99 < %s ms and zero loss: %d msg/s (%d subscribers, %d deliveries/s)%n",
                    Report.fmt(options.maxP99Ms), best, options.subscribers, (long) best * options.subscribers);
        }
        Report last = reports.get(reports.size() - 1);
        if (!last.withinLimits()) {
            out.println("Last step:");
            out.print(last.toText());
        }
        return new Outcome(List.copyOf(reports), best);
    }

    /** Publishes at {@code rate} for warm-up + duration, drains, and accounts. */
    Report runOnce(Publisher publisher, SubscriberPool pool, int rate, int runId) {
        int warmup = options.warmupMessages(rate);
        int total = warmup + options.measuredMessages(rate);
        RunState run = new RunState(runId, rate, warmup, total, options.subscribers, options.channels, probe,
                options.probeSubscribers);
        long disconnectsBefore = pool.unexpectedCloses();
        pool.setRun(run);
        try {
            publisher.publish(run);
            publisher.awaitIdle();
            long drainStart = System.nanoTime();
            long deadline = drainStart + TimeUnit.SECONDS.toNanos(options.drainSeconds);
            boolean drained;
            while (!(drained = run.drained()) && System.nanoTime() < deadline) {
                sleep(20);
            }
            long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart);
            Double cpuSeconds = run.serverCpuSinceMeasureStart();
            Histogram latency = run.latency.getIntervalHistogram();
            Histogram probeLatency = run.probeLatency.getIntervalHistogram();
            Histogram publish = run.publishLatency.getIntervalHistogram();
            Accounting.Summary loss = Accounting.summarize(run.acknowledgedCopy(), run.warmup, run.total,
                    run.trackers(), run.channels());
            long disconnects = pool.unexpectedCloses() - disconnectsBefore;
            if (disconnects > 0 && pool.lastCloseReason() != null) {
                out.println("  warning: " + disconnects + " subscribers disconnected: " + pool.lastCloseReason());
            }
            return Report.of(options, run, latency, publish, loss, disconnects, drainMillis, !drained, connect,
                    cpuSeconds, probeLatency);
        }
        finally {
            pool.setRun(null);
        }
    }

    private static void writeJson(Options options, Outcome outcome) {
        Object value = options.findMax
                ? new Report.FindMax("find-max", options.maxP99Ms, outcome.maxPassingRate(), outcome.reports())
                : outcome.reports().get(0);
        try {
            Path parent = options.json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(options.json, Frames.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        }
        catch (IOException ex) {
            throw new BenchException("cannot write " + options.json + ": " + ex.getMessage(), ex);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }
}
