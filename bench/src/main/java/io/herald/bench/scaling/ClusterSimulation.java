package io.herald.bench.scaling;

import static io.herald.bench.scaling.Parameter.CORES_PER_NODE;
import static io.herald.bench.scaling.Parameter.EDGE_CPU_PER_BROKER_MESSAGE_US;
import static io.herald.bench.scaling.Parameter.EDGE_CPU_PER_DELIVERY_US;
import static io.herald.bench.scaling.Parameter.REDIS_US_PER_PUBLISH;
import static io.herald.bench.scaling.Parameter.REDIS_US_PER_SUBSCRIBER_NODE;

import java.util.Objects;

/**
 * Counts what one simulated second of {@link Traffic} costs every shard and every edge of a
 * {@link Cluster}, the way Herald routes it: a publish goes to its channel's shard
 * ({@link ShardHash}, as core's router), the shard sends it once to each edge holding a subscriber
 * of the channel, and each such edge writes it once to each of its local subscribers.
 *
 * <p>The counting is per channel (n publishes × the channel's edges and local subscribers), which
 * is what makes a million subscribers or millions of publishes cheap to simulate. {@link #trace}
 * walks the same route per publish and per subscriber instead, for small clusters, so that tests
 * can check the per-channel counting against it.
 */
public final class ClusterSimulation {

    private ClusterSimulation() {
    }

    /** The load of every shard and edge, per second. */
    public record Load(int shards, long[] shardPublishes, long[] shardMessagesOut, double[] shardUtilisation,
                       long[] edgeBrokerMessages, long[] edgeDeliveries, double[] edgeUtilisation) {

        public long deliveries() {
            return sum(edgeDeliveries);
        }

        public long brokerMessages() {
            return sum(edgeBrokerMessages);
        }

        public long publishes() {
            return sum(shardPublishes);
        }

        public double maxShardUtilisation() {
            return max(shardUtilisation);
        }

        public double meanShardUtilisation() {
            return mean(shardUtilisation);
        }

        public double maxEdgeUtilisation() {
            return max(edgeUtilisation);
        }

        public double meanEdgeUtilisation() {
            return mean(edgeUtilisation);
        }
    }

    /**
     * The counted load.
     *
     * @param inputs the per-operation costs, for utilisations
     */
    public static Load run(Cluster cluster, Traffic traffic, Inputs inputs, int shards) {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(inputs, "inputs");
        if (traffic.channels() != cluster.channels()) {
            throw new IllegalArgumentException("traffic is for another cluster");
        }
        int edges = cluster.spec().edges();
        long[] shardPublishes = new long[shards];
        long[] shardOut = new long[shards];
        double[] shardMicros = new double[shards];
        long[] received = new long[edges];
        long[] deliveries = new long[edges];
        double rb = inputs.get(REDIS_US_PER_PUBLISH);
        double rs = inputs.get(REDIS_US_PER_SUBSCRIBER_NODE);
        for (int c = 0; c < cluster.channels(); c++) {
            long n = traffic.publishes(c);
            if (n == 0) {
                continue;
            }
            int shard = ShardHash.shardOf(cluster.appId(c), cluster.channelName(c), shards);
            int[] holding = cluster.holdingEdges(c);
            int[] local = cluster.localCounts(c);
            shardPublishes[shard] += n;
            shardOut[shard] += n * holding.length;
            shardMicros[shard] += n * (rb + rs * holding.length);
            for (int i = 0; i < holding.length; i++) {
                received[holding[i]] += n;
                deliveries[holding[i]] += n * local[i];
            }
        }
        return load(shards, shardPublishes, shardOut, shardMicros, received, deliveries, inputs);
    }

    private static Load load(int shards, long[] shardPublishes, long[] shardOut, double[] shardMicros,
                             long[] received, long[] deliveries, Inputs inputs) {
        double[] shardUtil = new double[shards];
        for (int s = 0; s < shards; s++) {
            shardUtil[s] = shardMicros[s] / 1e6;
        }
        double cd = inputs.get(EDGE_CPU_PER_DELIVERY_US);
        double cr = inputs.get(EDGE_CPU_PER_BROKER_MESSAGE_US);
        double cores = inputs.get(CORES_PER_NODE);
        double[] edgeUtil = new double[received.length];
        for (int e = 0; e < received.length; e++) {
            edgeUtil[e] = (deliveries[e] * cd + received[e] * cr) / 1e6 / cores;
        }
        return new Load(shards, shardPublishes, shardOut, shardUtil, received, deliveries, edgeUtil);
    }

    /** What {@link #trace} saw: the load, and how many messages each subscriber got. */
    public record Trace(Load load, long[] subscriberDeliveries) {
    }

    /**
     * Walks every publish individually: to its shard, from the shard once to each holding edge,
     * from each such edge once to each local subscriber. Needs a cluster built with
     * {@code keepSubscribers}; costs time proportional to publishes × subscribers.
     */
    public static Trace trace(Cluster cluster, Traffic traffic, Inputs inputs, int shards) {
        int edges = cluster.spec().edges();
        long[] shardPublishes = new long[shards];
        long[] shardOut = new long[shards];
        double[] shardMicros = new double[shards];
        long[] received = new long[edges];
        long[] deliveries = new long[edges];
        long[] perSubscriber = new long[(int) cluster.subscribers()];
        double rb = inputs.get(REDIS_US_PER_PUBLISH);
        double rs = inputs.get(REDIS_US_PER_SUBSCRIBER_NODE);
        for (int c = 0; c < cluster.channels(); c++) {
            int shard = ShardHash.shardOf(cluster.appId(c), cluster.channelName(c), shards);
            int[] holding = cluster.holdingEdges(c);
            for (long p = 0; p < traffic.publishes(c); p++) {
                shardPublishes[shard]++;
                shardMicros[shard] += rb;
                for (int i = 0; i < holding.length; i++) {
                    shardOut[shard]++;
                    shardMicros[shard] += rs;
                    received[holding[i]]++;
                    for (int subscriber : cluster.localSubscribers(c, i)) {
                        perSubscriber[subscriber]++;
                        deliveries[holding[i]]++;
                    }
                }
            }
        }
        return new Trace(load(shards, shardPublishes, shardOut, shardMicros, received, deliveries, inputs),
                perSubscriber);
    }

    static long sum(long[] values) {
        long t = 0;
        for (long v : values) {
            t += v;
        }
        return t;
    }

    static double max(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    static double mean(double[] values) {
        double t = 0;
        for (double v : values) {
            t += v;
        }
        return values.length == 0 ? 0 : t / values.length;
    }
}
