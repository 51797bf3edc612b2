package io.herald.bench.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.herald.bench.scaling.Cluster.Placement;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The simulation's accounting: conservation against a per-publish, per-subscriber walk, agreement
 * with the closed-form model under uniform load, and the shard imbalance of hot channels.
 * Deterministic (fixed seeds), no timing.
 */
class ClusterSimulationTest {

    private static final Inputs TODAY = Inputs.today();

    @Test
    void everyPublishReachesEverySubscriberOfItsChannelExactlyOnce() {
        for (Placement placement : Placement.values()) {
            Cluster cluster = Cluster.build(new Cluster.Spec(300, 1.0, 0, 0, 25, 7, placement, 3, 42, true));
            Traffic traffic = Traffic.sampled(cluster, 5_000, 43);
            ClusterSimulation.Trace trace = ClusterSimulation.trace(cluster, traffic, TODAY, 5);

            long[] got = trace.subscriberDeliveries();
            assertThat(got).hasSize(300 * 25);
            for (int s = 0; s < got.length; s++) {
                assertThat(got[s]).as("subscriber %d", s).isEqualTo(traffic.publishes(cluster.channelOf(s)));
            }
            // Each holding edge gets each message of the channel once from its shard.
            long expectedBrokerMessages = 0;
            long expectedDeliveries = 0;
            for (int c = 0; c < cluster.channels(); c++) {
                expectedBrokerMessages += traffic.publishes(c) * cluster.holdingEdges(c).length;
                expectedDeliveries += traffic.publishes(c) * 25;
            }
            assertThat(trace.load().brokerMessages()).isEqualTo(expectedBrokerMessages);
            assertThat(trace.load().deliveries()).isEqualTo(expectedDeliveries);
            assertThat(trace.load().publishes()).isEqualTo(traffic.total()).isEqualTo(5_000);

            // The per-channel counting used for the large tables says exactly the same.
            ClusterSimulation.Load counted = ClusterSimulation.run(cluster, traffic, TODAY, 5);
            assertThat(counted.edgeDeliveries()).isEqualTo(trace.load().edgeDeliveries());
            assertThat(counted.edgeBrokerMessages()).isEqualTo(trace.load().edgeBrokerMessages());
            assertThat(counted.shardPublishes()).isEqualTo(trace.load().shardPublishes());
            assertThat(counted.shardMessagesOut()).isEqualTo(trace.load().shardMessagesOut());
            for (int s = 0; s < 5; s++) {
                assertThat(counted.shardUtilisation()[s]).isCloseTo(trace.load().shardUtilisation()[s], within(1e-9));
            }
        }
    }

    @Test
    void eachSubscriberIsOnExactlyOneEdgeAndBalancedPlacementEvensThemOut() {
        Cluster random = Cluster.build(new Cluster.Spec(1_000, 0, 0, 0, 17, 13, Placement.RANDOM, 1, 1, false));
        Cluster balanced = Cluster.build(new Cluster.Spec(1_000, 0, 0, 0, 17, 13, Placement.BALANCED, 1, 1, false));
        for (Cluster cluster : new Cluster[] {random, balanced}) {
            long total = 0;
            for (int c = 0; c < cluster.channels(); c++) {
                long channelTotal = 0;
                for (int local : cluster.localCounts(c)) {
                    assertThat(local).isPositive();
                    channelTotal += local;
                }
                assertThat(channelTotal).isEqualTo(17);
                total += channelTotal;
            }
            assertThat(total).isEqualTo(17_000);
            assertThat(ClusterSimulation.sum(cluster.edgeSubscriptions())).isEqualTo(17_000);
        }
        // 17,000 over 13 edges: 1,307 or 1,308 each.
        for (long n : balanced.edgeSubscriptions()) {
            assertThat(n).isBetween(1_307L, 1_308L);
        }
    }

    @Test
    void underUniformLoadTheSimulationAgreesWithTheModel() {
        int edges = 170;
        int shards = 16;
        double rate = 200_000;
        ScalingModel model = new ScalingModel(TODAY);
        for (long fanOut : new long[] {10, 100}) {
            int channels = 20_000;
            Cluster cluster = Cluster.build(new Cluster.Spec(channels, 0, 0, 0, fanOut, edges, Placement.RANDOM, 20,
                    7, false));
            Traffic traffic = Traffic.expected(cluster, rate);
            ClusterSimulation.Load load = ClusterSimulation.run(cluster, traffic, TODAY, shards);

            assertThat(load.publishes()).isEqualTo(200_000);
            assertThat(load.deliveries()).isEqualTo(200_000 * fanOut);
            double perMessage = ScalingModel.edgesPerChannel(edges, fanOut);
            // Stated tolerance: within 1 % (the random placement's noise in edges per message).
            assertThat((double) load.brokerMessages() / load.publishes()).isCloseTo(perMessage,
                    within(0.01 * perMessage));
            double modelRedis = rate * model.redisCorePerPublish(perMessage);
            assertThat(load.meanShardUtilisation() * shards).isCloseTo(modelRedis, within(0.01 * modelRedis));
            double modelEdgeCores = model.edgeCores(rate * fanOut, rate * perMessage);
            double simulatedEdgeCores = load.meanEdgeUtilisation() * edges * TODAY.get(Parameter.CORES_PER_NODE);
            assertThat(simulatedEdgeCores).isCloseTo(modelEdgeCores, within(0.01 * modelEdgeCores));
        }
    }

    /**
     * The busiest shard and the busiest edge under uniform load, averaged over ten clusters (the
     * largest of a few bins is itself noisy), within 0.01 of the model's expected maximum.
     */
    @Test
    void underUniformLoadTheBusiestShardAndEdgeAreWhereTheModelPutsThem() {
        int shards = 16;
        int edges = 170;
        int channels = 8_000;
        int fanOut = 25;
        double shardSum = 0;
        double edgeSum = 0;
        int runs = 10;
        for (int run = 0; run < runs; run++) {
            // Another app count renames every channel's app, so it hashes anew.
            Cluster cluster = Cluster.build(new Cluster.Spec(channels, 0, 0, 0, fanOut, edges, Placement.RANDOM,
                    20 + run, 100 + run, false));
            ClusterSimulation.Load load = ClusterSimulation.run(cluster, Traffic.expected(cluster, 80_000), TODAY,
                    shards);
            shardSum += load.maxShardUtilisation() / load.meanShardUtilisation();
            edgeSum += ClusterSimulation.max(toDouble(load.edgeDeliveries())) / (load.deliveries() / (double) edges);
        }
        assertThat(shardSum / runs).isCloseTo(ScalingModel.expectedMaxOverMean(shards, (double) channels / shards),
                within(0.01));
        assertThat(edgeSum / runs).isCloseTo(
                ScalingModel.expectedMaxOverMean(edges, (double) channels * fanOut / edges), within(0.01));
    }

    @Test
    void oneBigChannelsBusiestEdgeIsWhereTheModelPutsIt() {
        ScalingModel model = new ScalingModel(TODAY);
        for (int edges : new int[] {50, 170}) {
            Cluster cluster = Cluster.build(new Cluster.Spec(1, 0, 0, 0, 1_000_000, edges, Placement.RANDOM, 1, 3,
                    false));
            assertThat(cluster.holdingEdges(0)).hasSize(edges);
            ScalingModel.BigChannel big = model.bigChannel(1_000_000, edges);
            int max = 0;
            for (int local : cluster.localCounts(0)) {
                max = Math.max(max, local);
            }
            assertThat((double) max).isCloseTo(big.localSubscribersMax(), within(0.01 * big.localSubscribersMax()));
            ClusterSimulation.Load load = ClusterSimulation.run(cluster, Traffic.of(1), TODAY, 8);
            assertThat(load.deliveries()).isEqualTo(1_000_000);
            assertThat(load.brokerMessages()).isEqualTo(edges);
        }
    }

    @Test
    void fewerHotChannelsMeanAWorseBusiestShard() {
        int shards = 16;
        double previous = Double.MAX_VALUE;
        for (int hot : new int[] {1, 4, 16, 64, 256, 1_024}) {
            Cluster cluster = Cluster.build(Cluster.Spec.hot(20_000, hot, 0.5, 2, 50, 5));
            ShardBalance balance = new ShardBalance(cluster, Traffic.expected(cluster, 200_000), TODAY);
            double imbalance = balance.imbalance(shards);
            assertThat(imbalance).as("%d hot channels", hot).isLessThan(previous);
            previous = imbalance;
            // Lower bound: some shard holds at least ceil(hot / shards) of the hot channels, each
            // with 0.5 / hot of the load, besides its share of the rest.
            double bound = (Math.ceil((double) hot / shards) * 0.5 / hot + 0.5 / shards) * shards;
            assertThat(imbalance).as("%d hot channels", hot).isGreaterThanOrEqualTo(bound * 0.97);
        }
        // One channel with half the messages: its shard carries (0.5 + 0.5 / 16) of the load.
        Cluster one = Cluster.build(Cluster.Spec.hot(20_000, 1, 0.5, 2, 50, 5));
        assertThat(new ShardBalance(one, Traffic.expected(one, 200_000), TODAY).imbalance(shards))
                .isCloseTo(8.5, within(0.2));
    }

    @Test
    void steeperPopularityMeansAWorseBusiestShard() {
        double previous = 0;
        for (double s : new double[] {0, 0.6, 1.0, 1.4}) {
            Cluster cluster = Cluster.build(Cluster.Spec.zipf(20_000, s, 2, 50, 5));
            double imbalance = new ShardBalance(cluster, Traffic.expected(cluster, 200_000), TODAY).imbalance(32);
            assertThat(imbalance).as("zipf %s", s).isGreaterThan(previous);
            previous = imbalance;
        }
    }

    @Test
    void theShardCountFoundKeepsTheBusiestShardUnderTheTarget() {
        Cluster cluster = Cluster.build(Cluster.Spec.zipf(20_000, 0.8, 20, 100, 9));
        Traffic traffic = Traffic.expected(cluster, 400_000);
        ShardBalance balance = new ShardBalance(cluster, traffic, TODAY);
        OptionalInt needed = balance.shardsNeeded(1_000);
        assertThat(needed).isPresent();
        int n = needed.getAsInt();
        assertThat(n).isGreaterThanOrEqualTo(balance.balancedShards());
        assertThat(balance.maxUtilisation(n)).isLessThanOrEqualTo(0.6);
        if (n > balance.balancedShards()) {
            assertThat(balance.maxUtilisation(n - 1)).isGreaterThan(0.6);
        }
        // A channel hotter than a shard's target fits no shard count.
        Cluster oneHot = Cluster.build(Cluster.Spec.hot(1_000, 1, 0.9, 20, 100, 9));
        ShardBalance tooHot = new ShardBalance(oneHot, Traffic.expected(oneHot, 2_000_000), TODAY);
        assertThat(tooHot.hottestChannelCores()).isGreaterThan(0.6);
        assertThat(tooHot.shardsNeeded(1_000)).isEmpty();
    }

    @Test
    void theSameSeedGivesTheSameCluster() {
        Cluster a = Cluster.build(Cluster.Spec.zipf(2_000, 1.0, 30, 40, 11));
        Cluster b = Cluster.build(Cluster.Spec.zipf(2_000, 1.0, 30, 40, 11));
        Cluster c = Cluster.build(Cluster.Spec.zipf(2_000, 1.0, 30, 40, 12));
        ClusterSimulation.Load la = ClusterSimulation.run(a, Traffic.sampled(a, 50_000, 1), TODAY, 8);
        ClusterSimulation.Load lb = ClusterSimulation.run(b, Traffic.sampled(b, 50_000, 1), TODAY, 8);
        ClusterSimulation.Load lc = ClusterSimulation.run(c, Traffic.sampled(c, 50_000, 1), TODAY, 8);
        assertThat(la.edgeDeliveries()).isEqualTo(lb.edgeDeliveries());
        assertThat(la.shardPublishes()).isEqualTo(lb.shardPublishes());
        assertThat(la.edgeDeliveries()).isNotEqualTo(lc.edgeDeliveries());
    }

    private static double[] toDouble(long[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
