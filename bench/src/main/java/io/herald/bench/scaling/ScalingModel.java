package io.herald.bench.scaling;

import static io.herald.bench.scaling.Parameter.CORES_PER_NODE;
import static io.herald.bench.scaling.Parameter.EDGE_BASE_MEMORY_MIB;
import static io.herald.bench.scaling.Parameter.EDGE_CPU_PER_BROKER_MESSAGE_US;
import static io.herald.bench.scaling.Parameter.EDGE_CPU_PER_CONNECT_US;
import static io.herald.bench.scaling.Parameter.EDGE_CPU_PER_DELIVERY_US;
import static io.herald.bench.scaling.Parameter.ENVELOPE_OVERHEAD_BYTES;
import static io.herald.bench.scaling.Parameter.KERNEL_MEMORY_PER_CONNECTION_KIB;
import static io.herald.bench.scaling.Parameter.LANE_SHARE_OF_DELIVERY;
import static io.herald.bench.scaling.Parameter.MAX_CONNECTIONS_PER_NODE;
import static io.herald.bench.scaling.Parameter.MEMORY_PER_CONNECTION_KIB;
import static io.herald.bench.scaling.Parameter.MEMORY_PER_NODE_GIB;
import static io.herald.bench.scaling.Parameter.MESSAGE_BYTES;
import static io.herald.bench.scaling.Parameter.NIC_GBIT_PER_NODE;
import static io.herald.bench.scaling.Parameter.PUBLISH_CPU_PER_MESSAGE_US;
import static io.herald.bench.scaling.Parameter.REDIS_NIC_GBIT_PER_SHARD;
import static io.herald.bench.scaling.Parameter.REDIS_US_PER_PUBLISH;
import static io.herald.bench.scaling.Parameter.REDIS_US_PER_STATE_JOIN;
import static io.herald.bench.scaling.Parameter.REDIS_US_PER_SUBSCRIBER_NODE;
import static io.herald.bench.scaling.Parameter.SUBSCRIPTIONS_PER_CONNECTION;
import static io.herald.bench.scaling.Parameter.TARGET_UTILISATION;
import static io.herald.bench.scaling.Parameter.WIRE_OVERHEAD_BYTES;

import java.util.Objects;

/**
 * The closed-form sizing model of docs/scaling.md: how many edge nodes, publish nodes and Redis
 * shards a load needs, from per-operation costs ({@link Inputs}). Every formula here is written
 * out in docs/scaling.md with the same names; {@link ClusterSimulation} checks them by counting.
 *
 * <p>What it assumes: costs are linear in the operations (measured per operation on one core and
 * scaled by cores), subscribers reach edges through a balancer that ignores channels (so the
 * subscribers of a channel land on edges at random), and channels spread evenly over shards (the
 * imbalance that hashing adds to that is the simulation's job, see {@link ShardBalance}).
 */
public final class ScalingModel {

    private final Inputs in;

    public ScalingModel(Inputs inputs) {
        this.in = Objects.requireNonNull(inputs, "inputs");
    }

    public Inputs inputs() {
        return in;
    }

    /**
     * The expected number of distinct edges that hold at least one of {@code subscribers}
     * subscribers placed independently and uniformly on {@code edges} edges:
     * {@code E × (1 − (1 − 1/E)^F)}. Each of them gets every message of the channel once from Redis.
     */
    public static double edgesPerChannel(long edges, double subscribers) {
        if (edges <= 0) {
            throw new IllegalArgumentException("edges must be positive");
        }
        if (edges == 1) {
            return subscribers > 0 ? 1 : 0;
        }
        return edges * -Math.expm1(subscribers * Math.log1p(-1.0 / edges));
    }

    /**
     * The busiest of {@code bins} bins over the mean, when items of equal weight fall into them
     * independently at random and the mean bin holds {@code itemsPerBin}: about
     * {@code 1 + z(bins) × sqrt((1 − 1/bins) / itemsPerBin)}, where {@code z(n)} is the expected
     * largest of n standard normal values (Blom's {@code Φ⁻¹((n − 0.375) / (n + 0.25))}); the
     * normal approximation of a binomial bin, good when {@code itemsPerBin} is large. It fits
     * channels on shards under uniform load, and subscribers on randomly placed edges.
     */
    public static double expectedMaxOverMean(long bins, double itemsPerBin) {
        if (bins <= 1 || itemsPerBin <= 0) {
            return 1;
        }
        return 1 + expectedMaxOfNormals(bins) * Math.sqrt((1 - 1.0 / bins) / itemsPerBin);
    }

    /** Blom's approximation of the expected largest of {@code n} standard normal values. */
    static double expectedMaxOfNormals(long n) {
        return inverseNormal((n - 0.375) / (n + 0.25));
    }

    /** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
    static double inverseNormal(double p) {
        if (p <= 0 || p >= 1) {
            throw new IllegalArgumentException("p must be in (0, 1)");
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            return -inverseNormal(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    /**
     * The most messages per second a deployment of {@code edges} edges delivers at the target
     * utilisation, each message to {@code fanOut} subscribers: edge CPU only.
     */
    public double maxRateOnEdges(long edges, double fanOut) {
        double perMessageMicros = fanOut * in.get(EDGE_CPU_PER_DELIVERY_US)
                + edgesPerChannel(edges, fanOut) * in.get(EDGE_CPU_PER_BROKER_MESSAGE_US);
        return edges * cores() * util() * 1e6 / perMessageMicros;
    }

    /**
     * The most messages per second one channel takes at the target utilisation of its one shard
     * (CPU and NIC), when {@code edgesHolding} edges hold its subscribers.
     */
    public double maxChannelRateOnShard(double edgesHolding) {
        return Math.min(util() / redisCorePerPublish(edgesHolding),
                util() * in.get(REDIS_NIC_GBIT_PER_SHARD) * 1e9 / (edgesHolding * bitsPerBrokerMessage()));
    }

    /** Usable bytes of a node's memory for connections, after the target utilisation and the JVM base. */
    public double connectionsByMemory() {
        double usableKiB = in.get(MEMORY_PER_NODE_GIB) * 1024 * 1024 * in.get(TARGET_UTILISATION)
                - in.get(EDGE_BASE_MEMORY_MIB) * 1024;
        double perConnection = in.get(MEMORY_PER_CONNECTION_KIB) + in.get(KERNEL_MEMORY_PER_CONNECTION_KIB);
        if (usableKiB <= 0 || perConnection <= 0) {
            throw new IllegalArgumentException(MEMORY_PER_NODE_GIB.key() + " x " + TARGET_UTILISATION.key()
                    + " must leave room above " + EDGE_BASE_MEMORY_MIB.key() + ", and a connection must cost memory");
        }
        return usableKiB / perConnection;
    }

    /** How many connections one edge may hold: memory, or the failure-domain cap, whichever is lower. */
    public double connectionsPerEdge() {
        return Math.min(connectionsByMemory(), in.get(MAX_CONNECTIONS_PER_NODE));
    }

    /** Edge CPU (cores, at 100 %) for a steady load. */
    public double edgeCores(double deliveriesPerSecond, double brokerMessagesPerSecond) {
        return (deliveriesPerSecond * in.get(EDGE_CPU_PER_DELIVERY_US)
                + brokerMessagesPerSecond * in.get(EDGE_CPU_PER_BROKER_MESSAGE_US)) / 1e6;
    }

    /** Redis CPU (cores; a shard has one) of one message to a channel held by {@code edges} edges, per second. */
    public double redisCorePerPublish(double edgesHolding) {
        return (in.get(REDIS_US_PER_PUBLISH) + in.get(REDIS_US_PER_SUBSCRIBER_NODE) * edgesHolding) / 1e6;
    }

    double bitsPerDelivery() {
        return 8 * (in.get(MESSAGE_BYTES) + in.get(WIRE_OVERHEAD_BYTES));
    }

    double bitsPerBrokerMessage() {
        return 8 * (in.get(MESSAGE_BYTES) + in.get(ENVELOPE_OVERHEAD_BYTES));
    }

    double nicBits() {
        return in.get(NIC_GBIT_PER_NODE) * 1e9;
    }

    double util() {
        return in.get(TARGET_UTILISATION);
    }

    double cores() {
        return in.get(CORES_PER_NODE);
    }

    /** What limits a node count. */
    public enum Limit { CPU, MEMORY, CONNECTIONS, NIC }

    /**
     * The sizing of a steady load: {@code publishes} channel messages per second, each to
     * {@code fanOut} subscribers, over {@code connections} connections.
     */
    public record Throughput(double publishesPerSecond, double fanOut, double connections,
                             double deliveriesPerSecond, long edges, Limit edgeLimit,
                             double edgesPerMessage, double brokerMessagesPerSecond, double edgeCores,
                             double edgeNicGbitPerNode, long publishNodes, double redisCores,
                             double redisGbit, long shardsBalanced, Limit shardLimit) {
    }

    /**
     * Sizes edges, publish nodes and shards for a steady load. The edge count is the smallest
     * that satisfies CPU, memory, the connection cap and the NIC at the target utilisation; since
     * more edges mean more edges per message (each gets it once from Redis), it is found by
     * counting up from the bound without that effect.
     */
    public Throughput throughput(double publishesPerSecond, double fanOut, double connections) {
        double deliveries = publishesPerSecond * fanOut;
        double byConnections = connections / connectionsPerEdge();
        double byMemory = connections / connectionsByMemory();
        double byNic = deliveries * bitsPerDelivery() / (nicBits() * util());
        long edges = (long) Math.max(1, Math.ceil(Math.max(byConnections, byNic)));
        double perMessage;
        double cpu;
        for (;;) {
            perMessage = edgesPerChannel(edges, fanOut);
            cpu = edgeCores(deliveries, publishesPerSecond * perMessage);
            if (cpu / (cores() * util()) <= edges) {
                break;
            }
            edges = Math.max(edges + 1, (long) Math.ceil(cpu / (cores() * util())));
        }
        double cpuBound = cpu / (cores() * util());
        Limit edgeLimit;
        if (cpuBound >= byConnections && cpuBound >= byNic) {
            edgeLimit = Limit.CPU;
        } else if (byNic >= byConnections) {
            edgeLimit = Limit.NIC;
        } else {
            edgeLimit = byMemory >= byConnections - 1e-9 ? Limit.MEMORY : Limit.CONNECTIONS;
        }
        double brokerMessages = publishesPerSecond * perMessage;
        long publishNodes = (long) Math.max(1, Math.ceil(
                publishesPerSecond * in.get(PUBLISH_CPU_PER_MESSAGE_US) / 1e6 / (cores() * util())));
        double redisCores = publishesPerSecond * redisCorePerPublish(perMessage);
        double redisBits = brokerMessages * bitsPerBrokerMessage();
        double shardsByCpu = redisCores / util();
        double shardsByNic = redisBits / (in.get(REDIS_NIC_GBIT_PER_SHARD) * 1e9 * util());
        long shards = (long) Math.max(1, Math.ceil(Math.max(shardsByCpu, shardsByNic)));
        return new Throughput(publishesPerSecond, fanOut, connections, deliveries, edges, edgeLimit,
                perMessage, brokerMessages, cpu, deliveries * bitsPerDelivery() / edges / 1e9, publishNodes,
                redisCores, redisBits / 1e9, shards, shardsByNic > shardsByCpu ? Limit.NIC : Limit.CPU);
    }

    /**
     * One message to a channel of {@code subscribers} subscribers spread over {@code edges} edges.
     *
     * @param localSubscribers subscribers per edge (mean)
     * @param localSubscribersMax the expected largest edge's share: {@code L × }{@link #expectedMaxOverMean}
     * @param spreadSeconds the slowest edge's CPU time for it spread over its cores
     * @param laneSeconds the same on one core: a channel's fan-out runs on one lane of a node
     * @param wireSeconds the slowest edge's bytes at its NIC's speed
     * @param maxRatePerSecond messages per second this channel sustains, the lowest of its lane,
     *        the slowest edge's cores, its NIC and the shard
     * @param resubscribeSeconds every subscriber's state join on the channel's one shard
     */
    public record BigChannel(long subscribers, long edges, double localSubscribers,
                             double localSubscribersMax, double redisMicros, double redisBytes,
                             double spreadSeconds, double laneSeconds, double wireSeconds,
                             double edgeBytes, double maxRatePerSecond, String rateLimitedBy,
                             double resubscribeSeconds) {
    }

    public BigChannel bigChannel(long subscribers, long edges) {
        double holding = edgesPerChannel(edges, subscribers);
        double local = subscribers / holding;
        double localMax = local * expectedMaxOverMean(Math.round(holding), local);
        double cd = in.get(EDGE_CPU_PER_DELIVERY_US) / 1e6;
        double cr = in.get(EDGE_CPU_PER_BROKER_MESSAGE_US) / 1e6;
        double laneSeconds = cr + localMax * cd * in.get(LANE_SHARE_OF_DELIVERY);
        double spreadSeconds = cr + localMax * cd / cores();
        double edgeBytes = localMax * bitsPerDelivery() / 8;
        double wireSeconds = localMax * bitsPerDelivery() / nicBits();
        double redisMicros = redisCorePerPublish(holding) * 1e6;
        double byLane = 1 / laneSeconds;
        double byCores = cores() * util() / laneSeconds;
        double byNic = util() / wireSeconds;
        double byShard = Math.min(util() / (redisMicros / 1e6),
                util() * in.get(REDIS_NIC_GBIT_PER_SHARD) * 1e9 / (holding * bitsPerBrokerMessage()));
        double rate = byLane;
        String limit = "lane (one core per node)";
        if (byCores < rate) {
            rate = byCores;
            limit = "edge cores";
        }
        if (byNic < rate) {
            rate = byNic;
            limit = "edge NIC";
        }
        if (byShard < rate) {
            rate = byShard;
            limit = "shard";
        }
        double resubscribe = subscribers * in.get(REDIS_US_PER_STATE_JOIN) / 1e6 / util();
        return new BigChannel(subscribers, edges, local, localMax, redisMicros,
                holding * bitsPerBrokerMessage() / 8, spreadSeconds, laneSeconds, wireSeconds,
                edgeBytes, rate, limit, resubscribe);
    }

    /**
     * Connections: what a node holds and how fast a cluster takes reconnections.
     *
     * @param edgesForConnections edges needed for {@code connections} by memory and the connection cap
     * @param rssPerNodeMiB the resident memory of an edge at {@code perNode} connections
     * @param connectsPerSecondSpare connections per second a node takes with its spare CPU (1 − target utilisation)
     * @param nodeLossEdgeSeconds one node lost: its connections reconnect to the others, limited by their spare CPU
     * @param nodeLossShardSeconds the same, limited by the shards' state joins (spare capacity)
     * @param clusterEdgeSeconds every connection reconnects at once (all edges' full CPU)
     * @param clusterShardSeconds the same, limited by the shards' state joins (full capacity)
     */
    public record Connections(double connections, long edges, double perNode, long edgesForConnections,
                              Limit limit, double rssPerNodeMiB, double connectsPerSecondSpare,
                              double nodeLossEdgeSeconds, double nodeLossShardSeconds,
                              double clusterEdgeSeconds, double clusterShardSeconds, long shards) {
    }

    public Connections connections(double connections, long edges, long shards) {
        double perNode = connections / edges;
        double byMemory = connections / connectionsByMemory();
        double byCap = connections / in.get(MAX_CONNECTIONS_PER_NODE);
        long needed = (long) Math.max(1, Math.ceil(Math.max(byMemory, byCap)));
        double rss = in.get(EDGE_BASE_MEMORY_MIB)
                + perNode * (in.get(MEMORY_PER_CONNECTION_KIB)) / 1024;
        double cc = in.get(EDGE_CPU_PER_CONNECT_US) / 1e6;
        double spare = 1 - util();
        double connectsSpare = cores() * spare / cc;
        double joinSeconds = in.get(REDIS_US_PER_STATE_JOIN) / 1e6 * in.get(SUBSCRIPTIONS_PER_CONNECTION);
        double lossEdge = perNode * cc / ((edges - 1) * cores() * spare);
        double lossShard = perNode * joinSeconds / (shards * spare);
        double clusterEdge = perNode * cc / cores();
        double clusterShard = connections * joinSeconds / shards;
        return new Connections(connections, edges, perNode, needed,
                byMemory >= byCap ? Limit.MEMORY : Limit.CONNECTIONS, rss, connectsSpare,
                lossEdge, lossShard, clusterEdge, clusterShard, shards);
    }
}
