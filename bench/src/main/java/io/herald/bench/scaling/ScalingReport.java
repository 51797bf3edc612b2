package io.herald.bench.scaling;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Prints the tables docs/scaling.md quotes: the inputs, the three scenarios of issue 10 (steady
 * throughput, 170 × 20,000 connections, one publish to 1,000,000 subscribers) for today's figures
 * and for issue 10's targets, the shard imbalance of hashing, and the simulation's check of the
 * model. Deterministic for a given seed.
 *
 * <pre>
 * java -cp bench/target/classes io.herald.bench.scaling.ScalingReport [--seed=N]
 *      [--today.&lt;parameter&gt;=V] [--target.&lt;parameter&gt;=V] [--&lt;parameter&gt;=V (both)]
 * </pre>
 * Parameter names are {@link Parameter#key()}s, e.g. {@code --today.edge-cpu-per-delivery-us=12}.
 */
public final class ScalingReport {

    /** The deployment of the hosted service's write-up: 170 edges × 20,000 connections. */
    static final long EDGES_OF_THE_WRITE_UP = 170;
    static final long CONNECTIONS = 170L * 20_000;
    static final double AVERAGE_RATE = 200_000;
    static final double PEAK_RATE = 2_000_000;
    static final long[] FAN_OUTS = {1, 10, 100, 1_000};
    /** Channel popularity used for the shard counts of the throughput table. */
    static final double THROUGHPUT_ZIPF = 0.8;
    /** Most subscriptions simulated per row (memory): the channel count is this over the fan-out, at most 50,000. */
    static final long SIMULATED_SUBSCRIPTIONS = 5_000_000;
    static final int MAX_SHARDS = 2_048;

    private final PrintStream out;
    private final long seed;

    ScalingReport(PrintStream out, long seed) {
        this.out = out;
        this.seed = seed;
    }

    public static void main(String[] args) {
        long seed = 10;
        Map<Parameter, Double> today = new EnumMap<>(Parameter.class);
        Map<Parameter, Double> target = new EnumMap<>(Parameter.class);
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            String name = arg.substring(2, arg.indexOf('='));
            String value = arg.substring(arg.indexOf('=') + 1);
            if (name.equals("seed")) {
                seed = Long.parseLong(value);
            } else if (name.startsWith("today.")) {
                today.put(Parameter.byKey(name.substring(6)), Double.parseDouble(value));
            } else if (name.startsWith("target.")) {
                target.put(Parameter.byKey(name.substring(7)), Double.parseDouble(value));
            } else {
                Parameter p = Parameter.byKey(name);
                today.put(p, Double.parseDouble(value));
                target.put(p, Double.parseDouble(value));
            }
        }
        new ScalingReport(System.out, seed).print(List.of(Inputs.today().with(today),
                Inputs.target().with(target)));
    }

    void print(List<Inputs> sets) {
        out.println("# Scaling model report (io.herald.bench.scaling.ScalingReport, seed " + seed + ")");
        inputs(sets);
        throughput(sets);
        imbalance(sets.get(0));
        connections(sets);
        bigChannel(sets);
        nodeSize(sets);
        check(sets.get(0));
    }

    private void inputs(List<Inputs> sets) {
        out.println();
        out.println("## Inputs");
        out.println();
        out.println("| parameter | unit | " + String.join(" | ", sets.stream().map(Inputs::name).toList())
                + " | source (today's value) |");
        out.println("| --- | --- |" + " ---: |".repeat(sets.size()) + " --- |");
        for (Parameter p : Parameter.values()) {
            StringBuilder row = new StringBuilder("| `" + p.key() + "` | " + p.unit() + " |");
            for (Inputs in : sets) {
                row.append(' ').append(num(in.get(p))).append(" |");
            }
            boolean changed = sets.stream().anyMatch(in -> in.get(p) != (in == sets.get(0) ? p.today() : p.target()));
            out.println(row.append(' ').append(changed ? "changed on the command line; default: " : "")
                    .append(p.source()).append(" |"));
        }
    }

    /** Scenario 1: steady publishes at the average and the peak, for several fan-outs. */
    private void throughput(List<Inputs> sets) {
        out.println();
        out.println("## Scenario 1: 200 k msgs/s average, 2 M at peak, " + fmt(CONNECTIONS) + " connections");
        out.println();
        out.printf(Locale.ROOT, "Shards (simulated): channels with Zipf popularity s = %.1f hashed as core does; "
                + "channels simulated = min(50,000, %s / fan-out), subscribers placed by a "
                + "least-connections balancer on the model's edges.%n", THROUGHPUT_ZIPF,
                fmt(SIMULATED_SUBSCRIPTIONS));
        out.println();
        out.println("| inputs | msgs/s | fan-out | deliveries/s | edges per msg | edge cores | **edge nodes** (limit) "
                + "| edge NIC out Gbit/s | **publish nodes** | Redis cores | Redis out Gbit/s "
                + "| shards, balanced (limit) | **shards, simulated** | busiest shard at that count "
                + "| one channel's max msgs/s (its shard) |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Inputs in : sets) {
            ScalingModel model = new ScalingModel(in);
            for (long fanOut : FAN_OUTS) {
                for (double rate : new double[] {AVERAGE_RATE, PEAK_RATE}) {
                    ScalingModel.Throughput t = model.throughput(rate, fanOut, CONNECTIONS);
                    int channels = (int) Math.min(50_000, SIMULATED_SUBSCRIPTIONS / fanOut);
                    Cluster cluster = Cluster.build(Cluster.Spec.zipf(channels, THROUGHPUT_ZIPF, fanOut,
                            (int) Math.min(t.edges(), Integer.MAX_VALUE), seed));
                    ShardBalance balance = new ShardBalance(cluster, Traffic.expected(cluster, rate), in);
                    OptionalInt needed = balance.shardsNeeded(MAX_SHARDS);
                    String simulated = needed.isPresent() ? fmt(needed.getAsInt())
                            : String.format(Locale.ROOT, "none: hottest channel needs %.2f of a shard",
                                    balance.hottestChannelCores());
                    String busiest = needed.isPresent()
                            ? String.format(Locale.ROOT, "%.0f %%", 100 * balance.maxUtilisation(needed.getAsInt()))
                            : "—";
                    out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %s | **%s** (%s) | %.2f | **%s** | %.1f | %.1f "
                                    + "| %s (%s) | **%s** | %s | %s |%n",
                            in.name(), fmt(rate), fmt(fanOut), fmt(t.deliveriesPerSecond()), t.edgesPerMessage(),
                            num(t.edgeCores()), fmt(t.edges()), t.edgeLimit().name().toLowerCase(Locale.ROOT),
                            t.edgeNicGbitPerNode(), fmt(t.publishNodes()), t.redisCores(), t.redisGbit(),
                            fmt(t.shardsBalanced()), t.shardLimit().name().toLowerCase(Locale.ROOT), simulated,
                            busiest, fmt(model.maxChannelRateOnShard(t.edgesPerMessage())));
                }
            }
        }
        out.println();
        out.println("What " + EDGES_OF_THE_WRITE_UP + " edges carry at the target utilisation (edge CPU only), msgs/s:");
        out.println();
        StringBuilder header = new StringBuilder("| inputs |");
        StringBuilder rule = new StringBuilder("| --- |");
        for (long fanOut : FAN_OUTS) {
            header.append(" fan-out ").append(fmt(fanOut)).append(" |");
            rule.append(" ---: |");
        }
        out.println(header);
        out.println(rule);
        for (Inputs in : sets) {
            ScalingModel model = new ScalingModel(in);
            StringBuilder row = new StringBuilder("| " + in.name() + " |");
            for (long fanOut : FAN_OUTS) {
                double rate = model.maxRateOnEdges(EDGES_OF_THE_WRITE_UP, fanOut);
                row.append(' ').append(fmt(rate)).append(" (").append(fmt(rate * fanOut)).append(" deliveries/s) |");
            }
            out.println(row);
        }
    }

    /** Shard imbalance: Zipf exponents, and K equally hot channels carrying half the traffic. */
    private void imbalance(Inputs in) {
        int[] shardCounts = {4, 8, 16, 32, 64, 128};
        int channels = 100_000;
        int fanOut = 10;
        int edges = 170;
        out.println();
        out.println("## Shard imbalance of channel hashing (busiest shard / mean)");
        out.println();
        out.println(fmt(channels) + " channels, fan-out " + fanOut + " over " + edges
                + " edges, 200,000 msgs/s, each channel's expected share (no sampling noise).");
        out.println();
        StringBuilder header = new StringBuilder("| popularity | hottest channel's share |");
        StringBuilder rule = new StringBuilder("| --- | ---: |");
        for (int n : shardCounts) {
            header.append(" N = ").append(n).append(" |");
            rule.append(" ---: |");
        }
        out.println(header);
        out.println(rule);
        List<Cluster.Spec> specs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (double s : new double[] {0, 0.6, 0.8, 1.0, 1.2}) {
            specs.add(Cluster.Spec.zipf(channels, s, fanOut, edges, seed));
            labels.add(s == 0 ? "uniform" : String.format(Locale.ROOT, "Zipf s = %.1f", s));
        }
        for (int k : new int[] {1, 4, 16, 64, 256, 1_024}) {
            specs.add(Cluster.Spec.hot(channels, k, 0.5, fanOut, edges, seed));
            labels.add(k + " hot channel" + (k == 1 ? "" : "s") + " with 50 % of msgs");
        }
        for (int i = 0; i < specs.size(); i++) {
            Cluster cluster = Cluster.build(specs.get(i));
            ShardBalance balance = new ShardBalance(cluster, Traffic.expected(cluster, AVERAGE_RATE), in);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %.2f %% |", labels.get(i),
                    100 * cluster.weight(0)));
            for (int n : shardCounts) {
                row.append(String.format(Locale.ROOT, " %.2f |", balance.imbalance(n)));
            }
            out.println(row);
        }
    }

    /** Scenario 2: 170 × 20,000 connections, and reconnect storms. */
    private void connections(List<Inputs> sets) {
        out.println();
        out.println("## Scenario 2: " + EDGES_OF_THE_WRITE_UP + " edges x 20,000 connections = " + fmt(CONNECTIONS));
        out.println();
        out.println("| inputs | shards | RSS per edge at 20,000 | connections per edge by memory | edges needed for "
                + fmt(CONNECTIONS) + " (limit) | connects/s per edge, spare CPU | one edge lost: reconnect, edge CPU | "
                + "one edge lost: state joins | all reconnect: edge CPU | all reconnect: state joins |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Inputs in : sets) {
            ScalingModel model = new ScalingModel(in);
            for (long shards : new long[] {8, 32}) {
                ScalingModel.Connections c = model.connections(CONNECTIONS, EDGES_OF_THE_WRITE_UP, shards);
                out.printf(Locale.ROOT, "| %s | %d | %s MiB | %s | %s (%s) | %s | %s | %s | %s | %s |%n", in.name(),
                        shards, fmt(c.rssPerNodeMiB()), fmt(model.connectionsByMemory()), fmt(c.edgesForConnections()),
                        c.limit().name().toLowerCase(Locale.ROOT), fmt(c.connectsPerSecondSpare()),
                        seconds(c.nodeLossEdgeSeconds()), seconds(c.nodeLossShardSeconds()),
                        seconds(c.clusterEdgeSeconds()), seconds(c.clusterShardSeconds()));
            }
        }
    }

    /** Scenario 3: one publish to 1,000,000 subscribers of one channel. */
    private void bigChannel(List<Inputs> sets) {
        long subscribers = 1_000_000;
        out.println();
        out.println("## Scenario 3: one publish to " + fmt(subscribers) + " subscribers of one channel");
        out.println();
        out.println("| inputs | edges | subscribers per edge: mean / model max / simulated max | Redis: µs for the publish "
                + "/ bytes out | slowest edge: CPU spread over its cores / on one lane | its bytes / at NIC speed "
                + "| **msgs/s this channel sustains** (limit) | every subscriber's state join, one shard |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Inputs in : sets) {
            ScalingModel model = new ScalingModel(in);
            for (long edges : new long[] {50, EDGES_OF_THE_WRITE_UP, 500}) {
                ScalingModel.BigChannel b = model.bigChannel(subscribers, edges);
                Cluster cluster = Cluster.build(new Cluster.Spec(1, 0, 0, 0, subscribers, (int) edges,
                        Cluster.Placement.RANDOM, 1, seed, false));
                long simulatedMax = 0;
                for (int local : cluster.localCounts(0)) {
                    simulatedMax = Math.max(simulatedMax, local);
                }
                out.printf(Locale.ROOT, "| %s | %d | %s / %s / %s | %.0f µs / %s | %s / %s | %s / %s | **%s** (%s) | %s |%n",
                        in.name(), edges, fmt(b.localSubscribers()), fmt(b.localSubscribersMax()), fmt(simulatedMax),
                        b.redisMicros(), bytes(b.redisBytes()), seconds(b.spreadSeconds()), seconds(b.laneSeconds()),
                        bytes(b.edgeBytes()), seconds(b.wireSeconds()), num(b.maxRatePerSecond()), b.rateLimitedBy(),
                        seconds(b.resubscribeSeconds()));
            }
        }
    }

    /** Cores per node: the same loads on smaller and bigger nodes (2 GiB per core). */
    private void nodeSize(List<Inputs> sets) {
        out.println();
        out.println("## Node size: cores per edge");
        out.println();
        out.println("Edges of k cores and 2 GiB per core, " + fmt(CONNECTIONS) + " connections; the 1 M-subscriber "
                + "channel's rate on that many edges (its lane bound).");
        out.println();
        out.println("| inputs | cores per edge | edges for 200 k x 100 (limit) | edge cores in all | edges for 2 M x 10 "
                + "(limit) | 1 M-subscriber channel, msgs/s on the 200 k x 100 edges | connections per edge |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Inputs base : sets) {
            for (int cores : new int[] {4, 8, 16, 32}) {
                Inputs in = base.with(Parameter.CORES_PER_NODE, cores).with(Parameter.MEMORY_PER_NODE_GIB, 2.0 * cores);
                ScalingModel model = new ScalingModel(in);
                ScalingModel.Throughput wide = model.throughput(AVERAGE_RATE, 100, CONNECTIONS);
                ScalingModel.Throughput peak = model.throughput(PEAK_RATE, 10, CONNECTIONS);
                ScalingModel.BigChannel big = model.bigChannel(1_000_000, wide.edges());
                out.printf(Locale.ROOT, "| %s | %d | %s (%s) | %s | %s (%s) | %s | %s |%n", base.name(), cores,
                        fmt(wide.edges()), wide.edgeLimit().name().toLowerCase(Locale.ROOT),
                        fmt(wide.edges() * (double) cores), fmt(peak.edges()),
                        peak.edgeLimit().name().toLowerCase(Locale.ROOT), num(big.maxRatePerSecond()),
                        fmt(CONNECTIONS / (double) wide.edges()));
            }
        }
    }

    /** The simulation against the model, for uniform load (where the model should hold) and skewed. */
    private void check(Inputs in) {
        out.println();
        out.println("## Check: the simulation against the closed-form model");
        out.println();
        out.println("Uniform popularity unless stated, 170 edges, 16 shards, 200,000 msgs/s; model = ScalingModel's "
                + "formulas, simulated = ClusterSimulation's per-channel counting.");
        out.println();
        out.println("| load | placement | deliveries/s model / simulated | edges per msg model / simulated "
                + "| Redis cores model / simulated | busiest shard / mean: model / simulated "
                + "| busiest edge / mean: model / simulated |");
        out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        int edges = 170;
        int shards = 16;
        ScalingModel model = new ScalingModel(in);
        for (long fanOut : new long[] {10, 100, 1_000}) {
            for (Cluster.Placement p : Cluster.Placement.values()) {
                checkRow(in, model, new Cluster.Spec((int) Math.min(50_000, SIMULATED_SUBSCRIPTIONS / fanOut), 0, 0, 0,
                        fanOut, edges, p, 20, seed, false), "uniform, fan-out " + fanOut, shards);
            }
        }
        checkRow(in, model, Cluster.Spec.zipf(50_000, 1.0, 100, edges, seed), "Zipf 1.0, fan-out 100 "
                + "(the model has no imbalance figure here)", shards);
    }

    private void checkRow(Inputs in, ScalingModel model, Cluster.Spec spec, String label, int shards) {
        Cluster cluster = Cluster.build(spec);
        Traffic traffic = Traffic.expected(cluster, AVERAGE_RATE);
        ClusterSimulation.Load load = ClusterSimulation.run(cluster, traffic, in, shards);
        double perMessage = ScalingModel.edgesPerChannel(spec.edges(), spec.subscribersPerChannel());
        double modelRedis = traffic.total() * model.redisCorePerPublish(perMessage);
        double simRedis = load.meanShardUtilisation() * shards;
        boolean uniform = spec.zipf() == 0 && spec.hotChannels() == 0;
        String shardModel = uniform ? String.format(Locale.ROOT, "%.3f",
                ScalingModel.expectedMaxOverMean(shards, (double) spec.channels() / shards)) : "—";
        String edgeModel = !uniform ? "—" : spec.placement() == Cluster.Placement.BALANCED ? "1.000"
                : String.format(Locale.ROOT, "%.3f",
                        ScalingModel.expectedMaxOverMean(spec.edges(), (double) cluster.subscribers() / spec.edges()));
        out.printf(Locale.ROOT, "| %s | %s | %s / %s | %.2f / %.2f | %.3f / %.3f | %s / %.3f | %s / %.3f |%n", label,
                spec.placement().name().toLowerCase(Locale.ROOT),
                fmt(traffic.total() * spec.subscribersPerChannel()), fmt(load.deliveries()),
                perMessage, (double) load.brokerMessages() / load.publishes(), modelRedis, simRedis,
                shardModel, load.maxShardUtilisation() / load.meanShardUtilisation(),
                edgeModel, load.maxEdgeUtilisation() / load.meanEdgeUtilisation());
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 1) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String seconds(double s) {
        if (s >= 1) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        if (s >= 1e-3) {
            return String.format(Locale.ROOT, "%.1f ms", s * 1e3);
        }
        return String.format(Locale.ROOT, "%.0f µs", s * 1e6);
    }

    static String bytes(double b) {
        if (b >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1 << 20));
        }
        if (b >= 1 << 10) {
            return String.format(Locale.ROOT, "%.0f KiB", b / (1 << 10));
        }
        return String.format(Locale.ROOT, "%.0f B", b);
    }
}
