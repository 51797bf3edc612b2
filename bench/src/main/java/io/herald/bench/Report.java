package io.herald.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run (one rate). Latencies are in milliseconds; "measured" means after the
 * warm-up. Serialised as JSON by {@code --json} in this field order.
 */
record Report(
        String target,
        int subscribers,
        int rate,
        int durationSeconds,
        int warmupSeconds,
        long published,
        long acknowledged,
        long publishErrors,
        long warmupPublishErrors,
        Map<String, Long> publishErrorKinds,
        double achievedPublishRate,
        double maxPublishLagMs,
        double publishP50Ms,
        double publishP99Ms,
        long expectedDeliveries,
        long deliveries,
        double deliveriesPerSecond,
        long latencySamples,
        double latencyP50Ms,
        double latencyP90Ms,
        double latencyP99Ms,
        double latencyP999Ms,
        double latencyMaxMs,
        double latencyMeanMs,
        long lost,
        long gaps,
        long subscribersWithLoss,
        long duplicates,
        long outOfOrder,
        long deliveredWithoutAck,
        long disconnects,
        long drainMillis,
        boolean drainTimedOut,
        double maxP99Ms,
        boolean withinLimits,
        int channels,
        long connectMillis,
        double connectP50Ms,
        double connectP99Ms,
        double connectsPerSecond,
        List<ConnectSecond> connectBySecond,
        Long serverRssKibAfterConnect,
        Double serverCpuSeconds,
        Double serverCpuMicrosPerDelivery,
        Double serverCpuMicrosPerPublish,
        boolean dedicatedPublisherLoop,
        int probeSubscribers,
        long probeLatencySamples,
        double probeLatencyP50Ms,
        double probeLatencyP99Ms,
        double probeLatencyMaxMs) {

    /**
     * What connecting and subscribing everyone cost: the whole phase, each connection's time from
     * starting it to its subscription being confirmed, and the server's RSS right after ({@code
     * null} without {@code --server-pid}).
     */
    record Connect(long millis, double p50Ms, double p99Ms, double perSecond, List<ConnectSecond> bySecond,
            Long serverRssKib) {

        static final Connect NONE = new Connect(0, 0, 0, 0, List.of(), null);

        /**
         * @param bySecond the per-connection times split by the second of the phase each
         *     connection was started in (index = second)
         */
        static Connect of(long millis, Histogram perConnection, List<Histogram> bySecond, Long serverRssKib) {
            List<ConnectSecond> seconds = new java.util.ArrayList<>();
            for (int i = 0; i < bySecond.size(); i++) {
                Histogram h = bySecond.get(i);
                seconds.add(new ConnectSecond(i, h.getTotalCount(), ms(h.getValueAtPercentile(50.0)),
                        ms(h.getValueAtPercentile(99.0))));
            }
            double perSecond = millis > 0 ? round(perConnection.getTotalCount() * 1000.0 / millis) : 0;
            return new Connect(millis, ms(perConnection.getValueAtPercentile(50.0)),
                    ms(perConnection.getValueAtPercentile(99.0)), perSecond, List.copyOf(seconds), serverRssKib);
        }
    }

    /**
     * The connections started in one second of the connect phase ({@code second} 0 is the first)
     * and their connect + subscribe time, p50 and p99.
     */
    record ConnectSecond(int second, long connections, double p50Ms, double p99Ms) {
    }

    /** The find-max outcome: every step tried and the highest rate within the limits. */
    record FindMax(String mode, double maxP99Ms, Integer maxPassingRate, List<Report> steps) {
    }

    static Report of(Options o, RunState run, Histogram latency, Histogram publish, Accounting.Summary loss,
            long disconnects, long drainMillis, boolean drainTimedOut) {
        return of(o, run, latency, publish, loss, disconnects, drainMillis, drainTimedOut,
                Connect.NONE, null, new Histogram(RunState.HIGHEST_MICROS, 3));
    }

    /**
     * @param serverCpuSeconds the server's CPU over the measured window (from the first measured
     *     publish to the end of the drain), or {@code null} without {@code --server-pid}; per
     *     delivery it is divided by every measured delivery received (acknowledged or not: a
     *     publish that timed out on the client may still have been fanned out, at the same cost)
     * @param probeLatency the probe subscribers' latency alone (empty without {@code --probe-subscribers})
     */
    static Report of(Options o, RunState run, Histogram latency, Histogram publish, Accounting.Summary loss,
            long disconnects, long drainMillis, boolean drainTimedOut, Connect connect, Double serverCpuSeconds,
            Histogram probeLatency) {
        long measured = (long) run.total - run.warmup;
        long acknowledged = run.acknowledgedMeasured();
        long last = run.lastDeliveryNanos.get();
        double window = last > run.measureStartNanos ? (last - run.measureStartNanos) / 1e9 : 0;
        double deliveriesPerSecond = window > 0 ? loss.delivered() / window : 0;
        double p99 = ms(latency.getValueAtPercentile(99.0));
        long errors = run.publishErrors.sum();
        boolean within = latency.getTotalCount() > 0 && p99 < o.maxP99Ms && loss.lost() == 0 && errors == 0
                && disconnects == 0;
        return new Report(o.describeTarget(), o.subscribers, run.rate, o.durationSeconds, o.warmupSeconds,
                measured, acknowledged, errors, run.warmupPublishErrors.sum(), run.errorKinds(),
                round(acknowledged / (double) o.durationSeconds), round(run.maxPublishLagNanos.get() / 1e6),
                ms(publish.getValueAtPercentile(50.0)), ms(publish.getValueAtPercentile(99.0)),
                loss.expected(), loss.delivered(), round(deliveriesPerSecond),
                latency.getTotalCount(), ms(latency.getValueAtPercentile(50.0)),
                ms(latency.getValueAtPercentile(90.0)), p99, ms(latency.getValueAtPercentile(99.9)),
                ms(latency.getMaxValue()), round(latency.getMean() / 1000.0),
                loss.lost(), loss.gaps(), loss.subscribersWithLoss(), loss.duplicates(), loss.outOfOrder(),
                loss.deliveredWithoutAck(), disconnects, drainMillis, drainTimedOut, o.maxP99Ms, within,
                o.channels, connect.millis(), connect.p50Ms(), connect.p99Ms(), connect.perSecond(),
                connect.bySecond(), connect.serverRssKib(),
                serverCpuSeconds == null ? null : round(serverCpuSeconds),
                perUnitMicros(serverCpuSeconds, latency.getTotalCount()), perUnitMicros(serverCpuSeconds, acknowledged),
                o.dedicatedPublisherLoop, o.probeSubscribers, probeLatency.getTotalCount(),
                ms(probeLatency.getValueAtPercentile(50.0)), ms(probeLatency.getValueAtPercentile(99.0)),
                ms(probeLatency.getMaxValue()));
    }

    private static Double perUnitMicros(Double cpuSeconds, long units) {
        return cpuSeconds == null || units == 0 ? null : round(cpuSeconds * 1e6 / units);
    }

    private static double ms(long micros) {
        return round(micros / 1000.0);
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    String toText() {
        StringBuilder sb = new StringBuilder();
        line(sb, "target", target);
        line(sb, "subscribers", subscribers + (disconnects > 0 ? "  (" + disconnects + " disconnected during the run)" : ""));
        line(sb, "rate", f("%d msg/s for %d s (+%d s warm-up)", rate, durationSeconds, warmupSeconds));
        line(sb, "published", f("%d, acknowledged %d (%.1f msg/s), publish errors %d%s", published, acknowledged,
                achievedPublishRate, publishErrors,
                warmupPublishErrors > 0 ? " (+" + warmupPublishErrors + " during warm-up)" : ""));
        publishErrorKinds.forEach((kind, count) -> line(sb, "  error", count + " x " + kind));
        line(sb, "publish HTTP", f("p50 %.2f ms, p99 %.2f ms; max scheduling lag %.2f ms (%s loop)",
                publishP50Ms, publishP99Ms, maxPublishLagMs, dedicatedPublisherLoop ? "own" : "shared"));
        line(sb, "deliveries", f("%d of %d expected, %.1f/s", deliveries, expectedDeliveries, deliveriesPerSecond));
        line(sb, "latency", f("p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  (mean %.2f, n=%d)",
                latencyP50Ms, latencyP90Ms, latencyP99Ms, latencyP999Ms, latencyMaxMs, latencyMeanMs,
                latencySamples));
        if (probeSubscribers > 0) {
            line(sb, "probe latency", f("p50 %.2f  p99 %.2f  max %.2f ms  (%d subscribers on a loop of their own, n=%d)",
                    probeLatencyP50Ms, probeLatencyP99Ms, probeLatencyMaxMs, probeSubscribers, probeLatencySamples));
        }
        line(sb, "lost", f("%d  (%d gaps, %d subscribers with loss)", lost, gaps, subscribersWithLoss));
        line(sb, "duplicated", f("%d  (out of order %d, delivered without ack %d)", duplicates, outOfOrder,
                deliveredWithoutAck));
        if (serverCpuSeconds != null) {
            line(sb, "server CPU", f("%.2f s over the measured window: %s us per delivery, %s us per publish",
                    serverCpuSeconds, serverCpuMicrosPerDelivery, serverCpuMicrosPerPublish));
        }
        if (connectMillis > 0) {
            line(sb, "connect", f("%d ms, %.1f connections/s subscribed; per connection p50 %.2f ms, p99 %.2f ms",
                    connectMillis, connectsPerSecond, connectP50Ms, connectP99Ms));
            for (ConnectSecond s : connectBySecond) {
                line(sb, "  second " + s.second(), f("%d started: p50 %.2f ms, p99 %.2f ms", s.connections(),
                        s.p50Ms(), s.p99Ms()));
            }
        }
        if (serverRssKibAfterConnect != null) {
            line(sb, "server RSS", f("%d KiB after connecting", serverRssKibAfterConnect));
        }
        line(sb, "drain", drainMillis + " ms" + (drainTimedOut ? " (timed out: some deliveries never came)" : ""));
        line(sb, "verdict", withinLimits
                ? f("OK: p99 < %s ms, no loss, no publish errors, no disconnects", fmt(maxP99Ms))
                : f("NOT within limits (p99 < %s ms, no loss, no publish errors, no disconnects)", fmt(maxP99Ms)));
        return sb.toString();
    }

    String toRow() {
        return f("%8d %10d %10d %9.2f %9.2f %9.2f %9.2f %7d %6d %7d  %s", rate, acknowledged,
                deliveries, latencyP50Ms, latencyP99Ms, latencyP999Ms, latencyMaxMs, lost, duplicates,
                publishErrors, withinLimits ? "pass" : "FAIL");
    }

    static String rowHeader() {
        return f("%8s %10s %10s %9s %9s %9s %9s %7s %6s %7s  %s", "rate", "acked", "delivered",
                "p50 ms", "p99 ms", "p99.9 ms", "max ms", "lost", "dup", "errors", "verdict");
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(f("  %-14s %s%n", label, value));
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
