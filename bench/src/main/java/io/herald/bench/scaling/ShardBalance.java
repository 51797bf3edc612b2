package io.herald.bench.scaling;

import static io.herald.bench.scaling.Parameter.ENVELOPE_OVERHEAD_BYTES;
import static io.herald.bench.scaling.Parameter.MESSAGE_BYTES;
import static io.herald.bench.scaling.Parameter.REDIS_NIC_GBIT_PER_SHARD;
import static io.herald.bench.scaling.Parameter.REDIS_US_PER_PUBLISH;
import static io.herald.bench.scaling.Parameter.REDIS_US_PER_SUBSCRIBER_NODE;
import static io.herald.bench.scaling.Parameter.TARGET_UTILISATION;

import java.util.OptionalInt;

/**
 * How unevenly channels hashed onto shards load them, and how many shards keep the busiest one
 * under the target utilisation.
 *
 * <p>The closed-form model divides the total Redis work by the shard count, which is right only
 * if the work spreads evenly. It does not: a channel's whole load is on one shard, and with a few
 * hot channels the shard that drew two of them carries far more than the mean. This class takes
 * each channel's load once and bins it by {@link ShardHash} for any shard count. A channel's load
 * is the larger of its CPU share, {@code n × (per-publish + per-edge × edges holding it)}, and its
 * NIC share, {@code n × edges holding it × bytes} over the shard's NIC: a shard is as busy as the
 * busier of the two. (Taking the larger per channel rather than per shard slightly overstates a
 * shard that mixes CPU-heavy and NIC-heavy channels; with one fan-out per run they are alike.)
 */
public final class ShardBalance {

    private final Cluster cluster;
    private final double[] channelCores;
    private final double total;
    private final double hottest;
    private final double target;

    public ShardBalance(Cluster cluster, Traffic traffic, Inputs inputs) {
        this.cluster = cluster;
        this.channelCores = new double[cluster.channels()];
        double rb = inputs.get(REDIS_US_PER_PUBLISH);
        double rs = inputs.get(REDIS_US_PER_SUBSCRIBER_NODE);
        double bitsPerMessage = 8 * (inputs.get(MESSAGE_BYTES) + inputs.get(ENVELOPE_OVERHEAD_BYTES));
        double nic = inputs.get(REDIS_NIC_GBIT_PER_SHARD) * 1e9;
        double t = 0;
        double h = 0;
        for (int c = 0; c < channelCores.length; c++) {
            int holding = cluster.holdingEdges(c).length;
            long n = traffic.publishes(c);
            channelCores[c] = Math.max(n * (rb + rs * holding) / 1e6, n * holding * bitsPerMessage / nic);
            t += channelCores[c];
            h = Math.max(h, channelCores[c]);
        }
        this.total = t;
        this.hottest = h;
        this.target = inputs.get(TARGET_UTILISATION);
    }

    /** The Redis work of all channels, in shards (each the larger of its CPU and NIC share). */
    public double totalCores() {
        return total;
    }

    /** The hottest channel's work: no shard count brings a shard below it. */
    public double hottestChannelCores() {
        return hottest;
    }

    /** The busiest shard's utilisation with {@code shards} shards. */
    public double maxUtilisation(int shards) {
        double[] load = new double[shards];
        double max = 0;
        for (int c = 0; c < channelCores.length; c++) {
            if (channelCores[c] == 0) {
                continue;
            }
            int s = ShardHash.shardOf(cluster.appId(c), cluster.channelName(c), shards);
            load[s] += channelCores[c];
            max = Math.max(max, load[s]);
        }
        return max;
    }

    /** The busiest shard over the mean, with {@code shards} shards. */
    public double imbalance(int shards) {
        return total == 0 ? 1 : maxUtilisation(shards) / (total / shards);
    }

    /** The model's count: the total work at the target utilisation, as if perfectly spread. */
    public int balancedShards() {
        return (int) Math.max(1, Math.ceil(total / target - 1e-9));
    }

    /**
     * The fewest shards, up to {@code limit}, whose busiest one stays at or under the target
     * utilisation; empty if the hottest channel alone exceeds it or none up to the limit does.
     */
    public OptionalInt shardsNeeded(int limit) {
        if (hottest > target) {
            return OptionalInt.empty();
        }
        for (int n = balancedShards(); n <= limit; n++) {
            if (maxUtilisation(n) <= target) {
                return OptionalInt.of(n);
            }
        }
        return OptionalInt.empty();
    }
}
