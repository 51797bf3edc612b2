package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.herald.core.redis.RedisTarget;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the rendered chart must hold, for the defaults and every values file of {@code ci/}: the
 * same shards in the same order on every edge and publish node, probes on every container, no
 * secret in a ConfigMap, disruption budgets and autoscalers, the drain's timings, the images.
 */
@SuppressWarnings("unchecked")
class ChartContentTest {

    static final String DEFAULTS = "(defaults)";

    static final List<String> SERVICES = List.of("gateway", "edge", "publish", "auth", "rate-limit", "metrics");

    private static final Pattern SHARD_KEY = Pattern.compile("HERALD_REDIS_SHARDS_(\\d+)");

    static Stream<String> renderings() {
        return Stream.concat(Stream.of(DEFAULTS), Chart.VALUES_FILES.stream());
    }

    static Chart.Rendered render(String rendering) {
        return Chart.render(DEFAULTS.equals(rendering) ? null : rendering);
    }

    // --- shards ---------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("renderings")
    void edgesAndPublishNodesListTheSameShardsInTheSameOrder(String rendering) {
        Chart.Rendered rendered = render(rendering);
        List<String> edge = shards(rendered, "herald-edge");
        List<String> publish = shards(rendered, "herald-publish");
        assertThat(edge).isNotEmpty().containsExactlyElementsOf(publish);
        // Both from one Secret, and from nowhere else (a ConfigMap or a literal could disagree).
        assertThat(redisSources(rendered, "herald-edge")).isEqualTo(redisSources(rendered, "herald-publish"))
                .hasSize(1);
    }

    @Test
    void externalShardsKeepTheOrderOfTheValuesList() {
        Chart.Rendered rendered = Chart.render("production-external-values.yaml");
        assertThat(rendered.has(Secret.class, "herald-redis")).isTrue();
        assertThat(shards(rendered, "herald-edge")).containsExactly("rediss://shard-a.redis.example.net:6380",
                "rediss://shard-b.redis.example.net:6380", "rediss://shard-c.redis.example.net:6380",
                "rediss://shard-d.redis.example.net:6380");
        // Reversed in the values, reversed on every node.
        Chart.Rendered reversed = Chart.render("production-external-values.yaml",
                "redis: { external: { shards: [rediss://d:6380, rediss://c:6380] } }");
        assertThat(shards(reversed, "herald-edge")).containsExactly("rediss://d:6380", "rediss://c:6380");
        assertThat(shards(reversed, "herald-publish")).containsExactly("rediss://d:6380", "rediss://c:6380");
    }

    @Test
    void sentinelGroupsBecomeRedisSentinelUrisTheServicesAccept() {
        Chart.Rendered rendered = Chart.render("bundled-sentinel-values.yaml");
        List<String> shards = shards(rendered, "herald-edge");
        assertThat(shards).hasSize(3);
        for (int i = 0; i < shards.size(); i++) {
            RedisTarget target = RedisTarget.of(URI.create(shards.get(i)));
            assertThat(target.uri().getSentinelMasterId()).isEqualTo("shard-" + i);
            assertThat(target.uri().getSentinels()).hasSize(3).allSatisfy(s -> {
                assertThat(s.getHost()).matches("herald-redis-sentinel-\\d\\.herald-redis-sentinel-headless\\."
                        + Chart.NAMESPACE + "\\.svc\\.cluster\\.local");
                assertThat(s.getPort()).isEqualTo(26379);
            });
            assertThat(new String(target.uri().getPassword())).isEqualTo("sentinel-redis-password");
        }
        RedisTarget state = RedisTarget.of(URI.create(rendered.secretData("herald-redis").get("HERALD_REDIS_STATE")));
        assertThat(state.uri().getSentinelMasterId()).isEqualTo("state");
        // A StatefulSet per shard plus the state Redis, each a primary and two replicas; three sentinels.
        assertThat(rendered.all(StatefulSet.class)).extracting(s -> s.getMetadata().getName(), s -> s.getSpec().getReplicas())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("herald-redis-shard-0", 3),
                        org.assertj.core.groups.Tuple.tuple("herald-redis-shard-1", 3),
                        org.assertj.core.groups.Tuple.tuple("herald-redis-shard-2", 3),
                        org.assertj.core.groups.Tuple.tuple("herald-redis-state", 3),
                        org.assertj.core.groups.Tuple.tuple("herald-redis-sentinel", 3));
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyRedisUriIsOneTheServicesAccept(String rendering) {
        Chart.Rendered rendered = render(rendering);
        if (!rendered.has(Secret.class, "herald-redis")) {
            return;
        }
        rendered.secretData("herald-redis").values()
                .forEach(uri -> assertThat(RedisTarget.of(URI.create(uri)).uri().getHost() != null
                        || !RedisTarget.of(URI.create(uri)).uri().getSentinels().isEmpty()).isTrue());
        // Services that need only the state Redis get only it.
        for (String name : List.of("herald-auth", "herald-rate-limit", "herald-metrics")) {
            Container c = container(rendered, name);
            assertThat(c.getEnvFrom()).noneMatch(e -> e.getSecretRef() != null);
            assertThat(c.getEnv()).extracting(EnvVar::getName).contains("HERALD_REDIS_STATE")
                    .noneMatch(n -> n.startsWith("HERALD_REDIS_SHARDS"));
        }
        Container gateway = container(rendered, "herald-gateway");
        assertThat(gateway.getEnv()).extracting(EnvVar::getName).noneMatch(n -> n.startsWith("HERALD_REDIS"));
    }

    @Test
    void anExistingRedisSecretIsUsedByName() {
        Chart.Rendered rendered = Chart.render("production-external-values.yaml",
                Map.of("redis.external.existingSecret", "ops-redis-uris"));
        assertThat(rendered.has(Secret.class, "herald-redis")).isFalse();
        assertThat(redisSources(rendered, "herald-edge")).containsExactly("ops-redis-uris");
        assertThat(redisSources(rendered, "herald-publish")).containsExactly("ops-redis-uris");
        assertThat(container(rendered, "herald-auth").getEnv()).filteredOn(e -> e.getName().equals("HERALD_REDIS_STATE"))
                .singleElement().satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName())
                        .isEqualTo("ops-redis-uris"));
    }

    /** The shard URIs a Deployment's container gets, in index order, from the Secrets it reads whole. */
    static List<String> shards(Chart.Rendered rendered, String deployment) {
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        for (String secret : redisSources(rendered, deployment)) {
            rendered.secretData(secret).forEach((key, value) -> {
                Matcher m = SHARD_KEY.matcher(key);
                if (m.matches()) {
                    assertThat(byIndex.put(Integer.parseInt(m.group(1)), value)).as("shard %s twice", key).isNull();
                }
            });
        }
        assertThat(byIndex.keySet()).as("shard indexes of %s", deployment)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, byIndex.size()).boxed().toList());
        return List.copyOf(byIndex.values());
    }

    /** The Secrets a container takes whole (envFrom); fails if shards come from anywhere else. */
    static List<String> redisSources(Chart.Rendered rendered, String deployment) {
        Container c = container(rendered, deployment);
        assertThat(c.getEnv()).extracting(EnvVar::getName).noneMatch(n -> n.startsWith("HERALD_REDIS_SHARDS"));
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                assertThat(rendered.get(ConfigMap.class, from.getConfigMapRef().getName()).getData().keySet())
                        .noneMatch(k -> k.startsWith("HERALD_REDIS_SHARDS"));
            }
        }
        return c.getEnvFrom().stream().filter(e -> e.getSecretRef() != null).map(e -> e.getSecretRef().getName())
                .toList();
    }

    // --- probes, drain ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("renderings")
    void everyContainerHasAllThreeProbes(String rendering) {
        Chart.Rendered rendered = render(rendering);
        List<PodSpec> pods = new ArrayList<>();
        rendered.all(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
        rendered.all(StatefulSet.class).forEach(s -> pods.add(s.getSpec().getTemplate().getSpec()));
        assertThat(pods).isNotEmpty();
        for (PodSpec pod : pods) {
            assertThat(pod.getInitContainers()).isEmpty();
            for (Container c : pod.getContainers()) {
                assertThat(c.getStartupProbe()).as("startup probe of %s", c.getName()).isNotNull();
                assertThat(c.getReadinessProbe()).as("readiness probe of %s", c.getName()).isNotNull();
                assertThat(c.getLivenessProbe()).as("liveness probe of %s", c.getName()).isNotNull();
                assertThat(c.getResources().getRequests()).as("requests of %s", c.getName()).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as("limits of %s", c.getName()).containsKey("memory");
            }
        }
        for (Deployment d : rendered.all(Deployment.class)) {
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(path(c.getReadinessProbe())).isEqualTo("/actuator/health/readiness");
            assertThat(path(c.getLivenessProbe())).isEqualTo("/actuator/health/liveness");
            assertThat(path(c.getStartupProbe())).isEqualTo("/actuator/health/readiness");
            // The warm-up holds readiness up to 30 s after a start of several seconds.
            Probe startup = c.getStartupProbe();
            assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).isGreaterThanOrEqualTo(60);
            assertThat(preStopSeconds(c)).isPositive();
        }
    }

    private static String path(Probe probe) {
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).isNotNull();
        assertThat(get.getPort().getStrVal()).isEqualTo("http");
        return get.getPath();
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void edgesHaveTimeToDrain(String rendering) {
        Chart.Rendered rendered = render(rendering);
        Deployment edge = rendered.get(Deployment.class, "herald-edge");
        Map<String, String> config = rendered.get(ConfigMap.class, "herald-edge").getData();
        long drainTimeout = seconds(config.get("HERALD_EDGE_DRAINTIMEOUT"));
        long handover = seconds(config.get("HERALD_EDGE_DRAINHANDOVER"));
        assertThat(seconds(config.get("HERALD_EDGE_DRAINPERIOD"))).isLessThanOrEqualTo(drainTimeout);
        long preStop = preStopSeconds(edge.getSpec().getTemplate().getSpec().getContainers().get(0));
        // The whole shutdown: preStop, the clients leaving, their deferred leaves, and a margin.
        assertThat(edge.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .isGreaterThanOrEqualTo(preStop + drainTimeout + handover + 5);
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void gatewaysHaveTimeToDrain(String rendering) {
        Chart.Rendered rendered = render(rendering);
        Deployment gateway = rendered.get(Deployment.class, "herald-gateway");
        Map<String, String> config = rendered.get(ConfigMap.class, "herald-gateway").getData();
        long drainTimeout = seconds(config.get("HERALD_GATEWAY_DRAINTIMEOUT"));
        assertThat(seconds(config.get("HERALD_GATEWAY_DRAINPERIOD"))).isLessThanOrEqualTo(drainTimeout);
        long preStop = preStopSeconds(gateway.getSpec().getTemplate().getSpec().getContainers().get(0));
        // preStop, the proxied WebSockets leaving, then Spring's 30 s graceful shutdown of the requests in flight.
        assertThat(gateway.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .isGreaterThanOrEqualTo(preStop + drainTimeout + 30);
    }

    /** The preStop hook's sleep, in either form. */
    static long preStopSeconds(Container c) {
        var preStop = c.getLifecycle().getPreStop();
        if (preStop.getSleep() != null) {
            assertThat(preStop.getExec()).isNull();
            return preStop.getSleep().getSeconds();
        }
        List<String> command = preStop.getExec().getCommand();
        assertThat(command).hasSize(3).startsWith("sh", "-c");
        assertThat(command.get(2)).matches("sleep \\d+");
        return Long.parseLong(command.get(2).substring("sleep ".length()));
    }

    @Test
    void preStopCanBeKubernetesOwnSleep() {
        Chart.Rendered rendered = Chart.render(null, "preStopSleepAction: true");
        for (String service : SERVICES) {
            Container c = container(rendered, "herald-" + service);
            assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5);
            assertThat(c.getLifecycle().getPreStop().getExec()).isNull();
        }
    }

    private static long seconds(String duration) {
        assertThat(duration).matches("\\d+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }

    @Test
    void theProductionEdgesDrainOverTheirLongerPeriod() {
        Chart.Rendered rendered = Chart.render("production-external-values.yaml");
        assertThat(rendered.get(ConfigMap.class, "herald-edge").getData())
                .containsEntry("HERALD_EDGE_DRAINPERIOD", "20s").containsEntry("HERALD_EDGE_DRAINTIMEOUT", "30s");
        assertThat(rendered.get(Deployment.class, "herald-edge").getSpec().getTemplate().getSpec()
                .getTerminationGracePeriodSeconds()).isEqualTo(5 + 30 + 10 + 15);
    }

    // --- secrets ----------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("renderings")
    void noSecretValueInAnyConfigMap(String rendering) throws Exception {
        Chart.Rendered rendered = render(rendering);
        Set<String> secrets = new java.util.HashSet<>(rendered.secretValues());
        // The values files' own secrets too (those that go to existing Secrets are not rendered).
        if (!DEFAULTS.equals(rendering)) {
            String values = Files.readString(Chart.DIR.resolve("ci").resolve(rendering));
            Matcher m = Pattern.compile("(?i)(token|password|secret)[A-Za-z-]*: *\"?([^\"\\s]+)").matcher(values);
            while (m.find()) {
                secrets.add(m.group(2));
            }
        }
        // Lines of the seed (apps with secrets) and the Redis URIs.
        Set<String> needles = secrets.stream().flatMap(s -> Stream.concat(Stream.of(s), s.lines()))
                .map(String::strip).filter(s -> s.length() >= 12).collect(Collectors.toSet());
        assertThat(needles).isNotEmpty();
        for (ConfigMap map : rendered.all(ConfigMap.class)) {
            Map<String, String> data = Objects.requireNonNullElse(map.getData(), Map.of());
            data.forEach((key, value) -> {
                assertThat(key).as("ConfigMap %s", map.getMetadata().getName())
                        .doesNotContainIgnoringCase("token").doesNotContainIgnoringCase("password")
                        .doesNotContainIgnoringCase("secret");
                for (String needle : needles) {
                    assertThat(value).as("ConfigMap %s key %s holds a secret value", map.getMetadata().getName(), key)
                            .doesNotContain(needle);
                }
            });
        }
        // No secret as a literal env value either: tokens and URIs only by reference.
        for (Deployment d : rendered.all(Deployment.class)) {
            for (EnvVar env : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                if (env.getValue() != null) {
                    assertThat(env.getName()).doesNotContain("TOKEN").doesNotContain("PASSWORD")
                            .doesNotStartWith("HERALD_REDIS");
                    needles.forEach(n -> assertThat(env.getValue()).doesNotContain(n));
                }
            }
        }
    }

    @Test
    void eachTokenGoesOnlyWhereItIsNeeded() {
        Chart.Rendered rendered = Chart.render(null);
        Map<String, Set<String>> tokens = new LinkedHashMap<>();
        for (String service : SERVICES) {
            tokens.put(service, container(rendered, "herald-" + service).getEnv().stream()
                    .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                            && e.getValueFrom().getSecretKeyRef().getName().equals("herald"))
                    .map(e -> e.getValueFrom().getSecretKeyRef().getKey()).collect(Collectors.toSet()));
        }
        assertThat(tokens).containsExactlyInAnyOrderEntriesOf(Map.of(
                "gateway", Set.of("internal-token", "ratelimit-token"),
                "edge", Set.of("internal-token"),
                "publish", Set.of("ratelimit-token"),
                "auth", Set.of("admin-token", "internal-token"),
                "rate-limit", Set.of("ratelimit-token"),
                "metrics", Set.of("admin-token")));
        assertThat(rendered.secretData("herald")).containsOnlyKeys("admin-token", "internal-token", "ratelimit-token")
                .allSatisfy((k, v) -> assertThat(v).hasSizeGreaterThanOrEqualTo(16));
        // The app seed (with the apps' secrets) reaches auth-service only.
        for (String service : SERVICES) {
            PodSpec pod = rendered.get(Deployment.class, "herald-" + service).getSpec().getTemplate().getSpec();
            boolean seed = pod.getVolumes().stream().anyMatch(v -> v.getSecret() != null
                    && v.getSecret().getSecretName().equals("herald-seed"));
            assertThat(seed).as("seed mounted into %s", service).isEqualTo(service.equals("auth"));
        }
    }

    @Test
    void existingSecretsAreUsedByName() {
        Chart.Rendered rendered = Chart.render("production-external-values.yaml");
        assertThat(rendered.all(Secret.class)).extracting(s -> s.getMetadata().getName()).containsExactly("herald-redis");
        for (String service : SERVICES) {
            assertThat(container(rendered, "herald-" + service).getEnv()).filteredOn(e -> e.getName().endsWith("TOKEN"))
                    .isNotEmpty()
                    .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("herald-tokens"));
        }
        assertThat(rendered.get(Deployment.class, "herald-auth").getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getSecret()).isNotNull()
                        .satisfies(secret -> assertThat(secret.getSecretName()).isEqualTo("herald-apps")));
    }

    @Test
    void theSeedHoldsTheAppsAndTenantsAsHeraldProperties() {
        Chart.Rendered rendered = Chart.render("bundled-sentinel-values.yaml");
        Map<String, Object> seed = new org.yaml.snakeyaml.Yaml().load(rendered.secretData("herald-seed").get("seed.yaml"));
        @SuppressWarnings("unchecked")
        Map<String, Object> herald = (Map<String, Object>) seed.get("herald");
        assertThat(herald).containsOnlyKeys("apps", "tenants");
        assertThat((List<?>) herald.get("apps")).singleElement().satisfies(app -> assertThat((Map<String, Object>) app)
                .containsEntry("id", "shop").containsEntry("secret", "shop-secret-value-0123456789"));
        assertThat(rendered.get(ConfigMap.class, "herald-auth").getData())
                .containsEntry("SPRING_CONFIG_IMPORT", "optional:file:/etc/herald/seed/seed.yaml");
        assertThat(container(rendered, "herald-auth").getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/herald/seed"));
    }

    // --- availability -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("renderings")
    void disruptionBudgetsAndAutoscalersMatchTheirDeployments(String rendering) {
        Chart.Rendered rendered = render(rendering);
        boolean small = "small-values.yaml".equals(rendering);
        for (String service : SERVICES) {
            Deployment d = rendered.get(Deployment.class, "herald-" + service);
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(rendered.has(PodDisruptionBudget.class, "herald-" + service)).isEqualTo(!small);
            if (!small) {
                PodDisruptionBudget pdb = rendered.get(PodDisruptionBudget.class, "herald-" + service);
                assertThat(labels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
                assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
            }
            boolean scaled = !small && Set.of("gateway", "edge", "publish").contains(service);
            assertThat(rendered.has(HorizontalPodAutoscaler.class, "herald-" + service)).as("HPA of %s", service)
                    .isEqualTo(scaled);
            if (scaled) {
                HorizontalPodAutoscaler hpa = rendered.get(HorizontalPodAutoscaler.class, "herald-" + service);
                assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(d.getMetadata().getName());
                assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
                assertThat(hpa.getSpec().getMinReplicas()).isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
                // The autoscaler owns the count: a replicas field would be reset at every upgrade.
                assertThat(d.getSpec().getReplicas()).isNull();
            }
            else {
                assertThat(d.getSpec().getReplicas()).isNotNull();
            }
            Service svc = rendered.get(Service.class, "herald-" + service);
            assertThat(labels).containsAllEntriesOf(svc.getSpec().getSelector());
            assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
        }
    }

    @Test
    void edgesScaleInSlowly() {
        HorizontalPodAutoscaler hpa = Chart.render(null).get(HorizontalPodAutoscaler.class, "herald-edge");
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getPolicies()).singleElement()
                .satisfies(p -> assertThat(p.getValue()).isEqualTo(1));
        assertThat(hpa.getSpec().getMetrics()).extracting(m -> m.getResource().getName()).containsExactly("cpu", "memory");
    }

    // --- entry point, images, JVM -----------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("renderings")
    void theGatewayIsTheOneWayIn(String rendering) {
        Chart.Rendered rendered = render(rendering);
        assertThat(rendered.all(Service.class)).allSatisfy(s -> assertThat(s.getSpec().getType()).isIn(null, "ClusterIP"));
        Ingress ingress = rendered.get(Ingress.class, "herald-gateway");
        assertThat(ingress.getSpec().getRules()).isNotEmpty().allSatisfy(rule -> assertThat(rule.getHttp().getPaths())
                .singleElement().satisfies(p -> {
                    assertThat(p.getBackend().getService().getName()).isEqualTo("herald-gateway");
                    assertThat(p.getBackend().getService().getPort().getName()).isEqualTo("http");
                }));
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertThat(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
                .isGreaterThanOrEqualTo(3600);
        assertThat(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout")))
                .isGreaterThanOrEqualTo(3600);
        assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "1m");
        // The gateway routes to each service's Service; Kubernetes' readiness picks the pod.
        Map<String, String> gateway = rendered.get(ConfigMap.class, "herald-gateway").getData();
        assertThat(gateway).containsEntry("HERALD_GATEWAY_EDGES_0", "http://herald-edge:6001")
                .containsEntry("HERALD_GATEWAY_PUBLISHERS_0", "http://herald-publish:6002")
                .containsEntry("HERALD_GATEWAY_AUTH_0", "http://herald-auth:6003")
                .containsEntry("HERALD_GATEWAY_METRICS_0", "http://herald-metrics:6005")
                .containsEntry("HERALD_GATEWAY_MAXREQUESTSIZE", "1MB")
                .containsEntry("SPRING_CLOUD_LOADBALANCER_CONFIGURATIONS", "default");
        assertThat(rendered.get(ConfigMap.class, "herald-publish").getData())
                .containsEntry("HERALD_PUBLISH_MAXREQUESTSIZE", "1MB")
                .containsEntry("HERALD_PUBLISH_APIREQUESTLIMIT", "false");
    }

    @Test
    void imagesComeFromTheRegistryWithOneRepositoryPerService() {
        Chart.Rendered defaults = Chart.render(null);
        assertThat(container(defaults, "herald-edge").getImage()).isEqualTo("herald/edge:0.1.0-SNAPSHOT");
        Chart.Rendered production = Chart.render("production-external-values.yaml");
        for (String service : SERVICES) {
            assertThat(container(production, "herald-" + service).getImage())
                    .isEqualTo("registry.example.com/herald/" + service + ":1.4.2");
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void edgesRunSerialGcWithAContainerAwareHeap(String rendering) {
        Chart.Rendered rendered = render(rendering);
        for (String service : SERVICES) {
            String options = container(rendered, "herald-" + service).getEnv().stream()
                    .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue();
            assertThat(options).contains("-XX:MaxRAMPercentage=").doesNotContain("-Xmx");
            if (service.equals("edge")) {
                // the young generation's size: the default one stays resident (README, "Recommended JVM settings")
                assertThat(options).contains("-XX:+UseSerialGC", "-Xmn32m");
            }
        }
    }

    @Test
    void monitoringIsOptional() {
        Chart.Rendered defaults = Chart.render(null);
        assertThat(defaults.all(GenericKubernetesResource.class)).isEmpty();
        assertThat(defaults.has(ConfigMap.class, "herald-dashboard")).isFalse();
        Chart.Rendered production = Chart.render("production-external-values.yaml");
        GenericKubernetesResource monitor = production.all(GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        assertThat(spec).containsOnlyKeys("selector", "namespaceSelector", "endpoints");
        assertThat((List<?>) spec.get("endpoints")).singleElement().satisfies(e -> assertThat((Map<String, Object>) e)
                .containsEntry("port", "http").containsEntry("path", "/actuator/prometheus"));
        // It selects every Herald service's Service and no Redis one.
        @SuppressWarnings("unchecked")
        Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
        List<String> selected = production.all(Service.class).stream()
                .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .map(s -> s.getMetadata().getName()).toList();
        assertThat(selected).containsExactlyInAnyOrderElementsOf(SERVICES.stream().map(s -> "herald-" + s).toList());
        ConfigMap dashboard = production.get(ConfigMap.class, "herald-dashboard");
        assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getData().get("herald-dashboard.json")).isEqualTo(Chart.file("dashboards/herald-dashboard.json"));
    }

    /** The chart's copy of the dashboard is the tested one in grafana/ (Helm reads no file outside the chart). */
    @Test
    void theDashboardCopyIsTheTestedDashboard() throws Exception {
        assertThat(Chart.file("dashboards/herald-dashboard.json"))
                .isEqualTo(Files.readString(Path.of("..", "grafana", "herald-dashboard.json")));
    }

    static Container container(Chart.Rendered rendered, String deployment) {
        return rendered.get(Deployment.class, deployment).getSpec().getTemplate().getSpec().getContainers().get(0);
    }
}
