package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The NetworkPolicies, evaluated as Kubernetes would between the release's pods (a connection
 * passes when the sender's egress and the receiver's ingress both allow it, a pod no policy selects
 * being open): only the gateway is reachable from outside, and each service reaches exactly what it
 * needs, so an edge (internet-facing) reaches neither the gateway's admin route nor
 * rate-limit-service, metrics-service or another service's port.
 */
class NetworkPolicyTest {

    /** A pod of the release (or one from outside: no labels, another namespace). */
    record Pod(String name, Map<String, String> labels, boolean outside, int port) {
    }

    static Stream<String> renderings() {
        return ChartContentTest.renderings();
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void eachServiceReachesExactlyWhatItNeeds(String rendering) {
        Chart.Rendered rendered = ChartContentTest.render(rendering);
        boolean bundled = !"production-external-values.yaml".equals(rendering);
        boolean sentinel = "bundled-sentinel-values.yaml".equals(rendering);
        List<Pod> pods = pods(rendered);
        Set<String> expected = new TreeSet<>(List.of("outside->gateway",
                "gateway->edge", "gateway->publish", "gateway->auth", "gateway->metrics", "gateway->rate-limit",
                "edge->auth", "publish->rate-limit"));
        if (bundled) {
            for (String shard : names(pods, "redis-shard-")) {
                expected.add("edge->" + shard);
                expected.add("publish->" + shard);
            }
            for (String client : List.of("edge", "publish", "auth", "rate-limit", "metrics")) {
                expected.add(client + "->redis-state");
                if (sentinel) {
                    expected.add(client + "->redis-sentinel");
                }
            }
            if (sentinel) {
                for (String redis : names(pods, "redis-")) {
                    // Replicas follow their primary (any pod of the same role: shards with shards),
                    // sentinels watch every Redis and each other, a Redis asks them at start.
                    for (String other : names(pods, redis.startsWith("redis-shard-") ? "redis-shard-" : redis)) {
                        expected.add(redis + "->" + other);
                    }
                    if (!redis.equals("redis-sentinel")) {
                        expected.add("redis-sentinel->" + redis);
                        expected.add(redis + "->redis-sentinel");
                    }
                }
            }
        }
        if ("production-external-values.yaml".equals(rendering)) {
            // Its metricsFrom: Prometheus (from the monitoring namespace) scrapes every service.
            ChartContentTest.SERVICES.forEach(service -> expected.add("outside->" + service));
        }
        assertThat(reachable(rendered, pods)).containsExactlyElementsOf(expected);
    }

    @Test
    void edgesCannotUseTheAdminApi() {
        Chart.Rendered rendered = Chart.render(null);
        List<Pod> pods = pods(rendered);
        Pod edge = pod(pods, "edge");
        // The admin API is routed by the gateway: edges cannot reach it.
        assertThat(allowed(rendered, edge, pod(pods, "gateway"))).isFalse();
        // auth-service's port serves /internal (signatures, public app views) and /admin alike; a
        // NetworkPolicy cannot tell paths apart, so the edge holds no admin token: /admin refuses it.
        assertThat(allowed(rendered, edge, pod(pods, "auth"))).isTrue();
        assertThat(ChartContentTest.container(rendered, "herald-edge").getEnv())
                .noneMatch(e -> e.getName().contains("ADMIN"));
        // Nor the metrics-service (usage of every app), nor rate-limit-service's lease API.
        assertThat(allowed(rendered, edge, pod(pods, "metrics"))).isFalse();
        assertThat(allowed(rendered, edge, pod(pods, "rate-limit"))).isFalse();
    }

    @Test
    void everyPodIsIsolatedBothWays() {
        for (String rendering : renderings().toList()) {
            Chart.Rendered rendered = ChartContentTest.render(rendering);
            for (Pod pod : pods(rendered)) {
                if (pod.outside()) {
                    continue;
                }
                List<NetworkPolicy> selecting = selecting(rendered, pod);
                assertThat(selecting).as("policies of %s (%s)", pod.name(), rendering).hasSize(1);
                assertThat(selecting.get(0).getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            }
        }
    }

    @Test
    void metricsScrapersAndWebhookTargetsAreTheOnlyOtherWays() {
        Chart.Rendered rendered = Chart.render("production-external-values.yaml");
        Pod prometheus = new Pod("prometheus", Map.of(), true, 9090);
        // metricsFrom (the monitoring namespace) reaches every service's port.
        for (String service : ChartContentTest.SERVICES) {
            assertThat(allowed(rendered, prometheus, pod(pods(rendered), service))).as(service).isTrue();
        }
        // Only the publish nodes (the webhook dispatcher) reach the internet, on 443.
        Pod internet = new Pod("webhook-endpoint", Map.of(), true, 443);
        for (Pod pod : pods(rendered)) {
            if (!pod.outside()) {
                assertThat(allowed(rendered, pod, internet)).as(pod.name()).isEqualTo(pod.name().equals("publish"));
            }
        }
    }

    // --- the evaluation ---------------------------------------------------------------------------

    static List<Pod> pods(Chart.Rendered rendered) {
        List<Pod> pods = new ArrayList<>();
        pods.add(new Pod("outside", Map.of(), true, 0));
        for (Deployment d : rendered.all(Deployment.class)) {
            pods.add(new Pod(d.getMetadata().getName().substring("herald-".length()),
                    d.getSpec().getTemplate().getMetadata().getLabels(), false,
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getContainerPort()));
        }
        for (StatefulSet s : rendered.all(StatefulSet.class)) {
            pods.add(new Pod(s.getMetadata().getName().substring("herald-".length()),
                    s.getSpec().getTemplate().getMetadata().getLabels(), false,
                    s.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getContainerPort()));
        }
        return pods;
    }

    static Pod pod(List<Pod> pods, String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    static List<String> names(List<Pod> pods, String prefix) {
        return pods.stream().map(Pod::name).filter(n -> n.startsWith(prefix)).toList();
    }

    /** Every "from->to" pair of pods (to on its own port) a connection may pass between. */
    static Set<String> reachable(Chart.Rendered rendered, List<Pod> pods) {
        Set<String> pairs = new TreeSet<>();
        for (Pod from : pods) {
            for (Pod to : pods) {
                if (!to.outside() && allowed(rendered, from, to)) {
                    pairs.add(from.name() + "->" + to.name());
                }
            }
        }
        return pairs;
    }

    static boolean allowed(Chart.Rendered rendered, Pod from, Pod to) {
        return egressAllows(rendered, from, to) && ingressAllows(rendered, from, to);
    }

    private static boolean egressAllows(Chart.Rendered rendered, Pod from, Pod to) {
        if (from.outside()) {
            return true;
        }
        List<NetworkPolicy> policies = selecting(rendered, from).stream()
                .filter(p -> p.getSpec().getPolicyTypes().contains("Egress")).toList();
        return policies.isEmpty() || policies.stream().flatMap(p -> p.getSpec().getEgress().stream())
                .anyMatch(rule -> ports(rule.getPorts(), to.port()) && peers(rule.getTo(), to));
    }

    private static boolean ingressAllows(Chart.Rendered rendered, Pod from, Pod to) {
        if (to.outside()) {
            return true;
        }
        List<NetworkPolicy> policies = selecting(rendered, to).stream()
                .filter(p -> p.getSpec().getPolicyTypes().contains("Ingress")).toList();
        return policies.isEmpty() || policies.stream().flatMap(p -> p.getSpec().getIngress().stream())
                .anyMatch(rule -> ports(rule.getPorts(), to.port()) && peers(rule.getFrom(), from));
    }

    static List<NetworkPolicy> selecting(Chart.Rendered rendered, Pod pod) {
        return rendered.all(NetworkPolicy.class).stream().filter(p -> matches(p.getSpec().getPodSelector(), pod.labels()))
                .toList();
    }

    private static boolean ports(List<NetworkPolicyPort> ports, int port) {
        return ports == null || ports.isEmpty() || ports.stream().anyMatch(p -> {
            IntOrString value = p.getPort();
            return value == null || (value.getIntVal() != null && value.getIntVal() == port);
        });
    }

    /**
     * Whether a rule's peers admit a pod. No peers: everyone. A pod selector alone: pods of the
     * release's namespace with those labels. A namespace selector or an IP block: only pods from
     * outside (the release's namespace is never selected by the values files' namespace selectors).
     */
    private static boolean peers(List<NetworkPolicyPeer> peers, Pod pod) {
        if (peers == null || peers.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPeer peer : peers) {
            if (peer.getNamespaceSelector() != null || peer.getIpBlock() != null) {
                if (pod.outside()) {
                    return true;
                }
                continue;
            }
            if (!pod.outside() && matches(peer.getPodSelector(), pod.labels())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        assertThat(selector.getMatchExpressions()).as("the chart selects by labels only").isEmpty();
        return labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }
}
