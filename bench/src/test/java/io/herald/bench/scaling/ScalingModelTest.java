package io.herald.bench.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The closed-form formulas, on figures worked out by hand. */
class ScalingModelTest {

    @Test
    void edgesPerChannelRunsFromOneToEveryEdge() {
        assertThat(ScalingModel.edgesPerChannel(170, 1)).isCloseTo(1, within(1e-9));
        assertThat(ScalingModel.edgesPerChannel(170, 0)).isZero();
        assertThat(ScalingModel.edgesPerChannel(1, 50)).isEqualTo(1);
        assertThat(ScalingModel.edgesPerChannel(170, 1_000_000)).isCloseTo(170, within(1e-6));
        // 100 subscribers on 170 edges: 170 × (1 − (169/170)^100) = 75.76
        assertThat(ScalingModel.edgesPerChannel(170, 100)).isCloseTo(75.76, within(0.01));
    }

    @Test
    void sizesTheSteadyLoadFromItsInputs() {
        Inputs in = Inputs.target();
        ScalingModel model = new ScalingModel(in);
        ScalingModel.Throughput t = model.throughput(200_000, 1, 3_400_000);
        // publish: 200,000 × 80 µs = 16 cores; 8 cores at 60 % = 4.8 per node → 4 nodes
        assertThat(t.publishNodes()).isEqualTo(4);
        assertThat(t.deliveriesPerSecond()).isEqualTo(200_000);
        assertThat(t.edgesPerMessage()).isCloseTo(1, within(1e-9));
        // edges: 3.4 M connections at the 100,000 cap → 34; CPU would need 200,000 × (3 + 3) µs = 1.2 cores
        assertThat(t.edges()).isEqualTo(34);
        assertThat(t.edgeLimit()).isEqualTo(ScalingModel.Limit.CONNECTIONS);
        assertThat(t.edgeCores()).isCloseTo(1.2, within(1e-9));
        // Redis: 200,000 × (0.89 + 0.23) µs = 0.224 of a core → one shard
        assertThat(t.redisCores()).isCloseTo(0.224, within(1e-9));
        assertThat(t.shardsBalanced()).isEqualTo(1);
    }

    @Test
    void moreEdgesPerMessageAreCountedWhenCpuSetsTheEdgeCount() {
        ScalingModel model = new ScalingModel(Inputs.today());
        ScalingModel.Throughput t = model.throughput(2_000_000, 100, 3_400_000);
        assertThat(t.edgeLimit()).isEqualTo(ScalingModel.Limit.CPU);
        double cpuNodes = t.edgeCores() / (8 * 0.6);
        assertThat((double) t.edges()).isGreaterThanOrEqualTo(cpuNodes).isLessThan(cpuNodes + 1);
        assertThat(t.edgesPerMessage()).isCloseTo(ScalingModel.edgesPerChannel(t.edges(), 100), within(1e-9));
    }

    @Test
    void oneBigChannel() {
        ScalingModel model = new ScalingModel(Inputs.target());
        ScalingModel.BigChannel b = model.bigChannel(1_000_000, 170);
        assertThat(b.localSubscribers()).isCloseTo(1_000_000 / 170.0, within(1e-6));
        assertThat(b.localSubscribersMax()).isGreaterThan(b.localSubscribers());
        // Redis: 0.89 + 170 × 0.23 µs
        assertThat(b.redisMicros()).isCloseTo(0.89 + 170 * 0.23, within(1e-9));
        // every join on the channel's one shard, 33 µs each, at 60 %: 55 s
        assertThat(b.resubscribeSeconds()).isCloseTo(55, within(1e-9));
        assertThat(b.laneSeconds()).isCloseTo(3e-6 + b.localSubscribersMax() * 3e-6, within(1e-12));
    }

    @Test
    void expectedMaximaOfNormalsAreBlomsApproximation() {
        assertThat(ScalingModel.inverseNormal(0.975)).isCloseTo(1.95996, within(1e-4));
        assertThat(ScalingModel.inverseNormal(0.5)).isCloseTo(0, within(1e-12));
        // The expected largest of 16 standard normals is 1.766.
        assertThat(ScalingModel.expectedMaxOfNormals(16)).isCloseTo(1.766, within(0.01));
        assertThat(ScalingModel.expectedMaxOverMean(1, 10)).isEqualTo(1);
    }

    @Test
    void inputsAreChangedByName() {
        Inputs in = Inputs.today().with(Parameter.byKey("edge-cpu-per-delivery-us"), 12);
        assertThat(in.get(Parameter.EDGE_CPU_PER_DELIVERY_US)).isEqualTo(12);
        assertThat(Inputs.today().get(Parameter.EDGE_CPU_PER_DELIVERY_US)).isEqualTo(Parameter.EDGE_CPU_PER_DELIVERY_US.today());
        assertThatThrownBy(() -> Parameter.byKey("no-such")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> in.with(Parameter.CORES_PER_NODE, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> in.with(Parameter.TARGET_UTILISATION, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> in.with(Parameter.TARGET_UTILISATION, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(in.with(Parameter.TARGET_UTILISATION, 0.7).get(Parameter.TARGET_UTILISATION)).isEqualTo(0.7);
        ScalingModel tooSmall = new ScalingModel(in.with(Parameter.MEMORY_PER_NODE_GIB, 2));
        assertThatThrownBy(() -> tooSmall.throughput(1_000, 1, 1_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("edge-base-memory-mib");
    }
}
