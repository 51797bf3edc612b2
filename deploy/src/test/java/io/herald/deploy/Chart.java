package io.herald.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart {@code helm/herald}, rendered offline with helm-java (Helm's own code through its
 * bundled native library) and parsed strictly into fabric8's typed Kubernetes model.
 *
 * <p>Strict means: every document's {@code apiVersion}/{@code kind} must be one the chart is meant
 * to produce (an unknown one fails), YAML with duplicate keys fails, and no field may be unknown to
 * the typed model. fabric8's models do not refuse unknown fields: they collect them in
 * {@code additionalProperties}, so {@link #parse} walks every object of the model and fails on any
 * that is not empty (a misspelt {@code readinesProbe} would otherwise render, apply, and be
 * ignored by Kubernetes).
 */
final class Chart {

    /** The chart, from the module's directory (Maven runs tests there). */
    static final Path DIR = Path.of("..", "helm", "herald").toAbsolutePath().normalize();

    /** The realistic values files kept with the chart ({@code helm/herald/ci/}, Helm's convention). */
    static final List<String> VALUES_FILES = List.of("small-values.yaml", "production-external-values.yaml",
            "bundled-sentinel-values.yaml");

    /** The release the tests render. */
    static final String RELEASE = "herald";

    static final String NAMESPACE = "realtime";

    /** What the chart may produce, each into its typed model class. */
    private static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            // Not in fabric8's core model (prometheus-operator's CRD): generic, its fields checked by hand.
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", GenericKubernetesResource.class));

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY, true);

    private Chart() {
    }

    /** Helm's lint, strict (warnings fail too). */
    static com.marcnuri.helm.LintResult lint() {
        return new Helm(DIR).lint().strict().call();
    }

    /**
     * The chart rendered with a values file of {@code ci/} (or none: {@code null}) and
     * {@code --set} pairs. helm-java's template talks to a cluster for Helm's {@code lookup}; there
     * is none here, so every render sets {@code secrets.lookup=false} (as one would for a GitOps
     * tool).
     */
    static String template(String valuesFile, Map<String, Object> set) {
        TemplateCommand template = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            template = template.withValuesFile(DIR.resolve("ci").resolve(valuesFile));
        }
        template = template.set("secrets.lookup", "false");
        for (Map.Entry<String, Object> entry : set.entrySet()) {
            template = template.set(entry.getKey(), entry.getValue());
        }
        return template.call();
    }

    static Rendered render(String valuesFile) {
        return render(valuesFile, Map.of());
    }

    static Rendered render(String valuesFile, Map<String, Object> set) {
        return new Rendered(parse(template(valuesFile, set)));
    }

    /**
     * The release notes ({@code templates/NOTES.txt}) as {@code helm install} would print them: a
     * client-only dry run (which {@code helm template} does not render).
     */
    static String notes(String valuesFile) {
        var install = new Helm(DIR).install().withName(RELEASE).withNamespace(NAMESPACE).dryRun().clientOnly();
        if (valuesFile != null) {
            install = install.withValuesFile(DIR.resolve("ci").resolve(valuesFile));
        }
        String output = install.set("secrets.lookup", "false").call().getOutput();
        return output.substring(output.indexOf("NOTES:"));
    }

    /** Rendered with a values file of {@code ci/} and then {@code overrides}, YAML values of their own. */
    static Rendered render(String valuesFile, String overrides) {
        return new Rendered(parse(template(valuesFile, overrides)));
    }

    static String template(String valuesFile, String overrides) {
        try {
            Path file = Files.createTempFile("herald-values-", ".yaml");
            try {
                Files.writeString(file, overrides);
                TemplateCommand template = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
                if (valuesFile != null) {
                    template = template.withValuesFile(DIR.resolve("ci").resolve(valuesFile));
                }
                return template.withValuesFile(file).set("secrets.lookup", "false").call();
            }
            finally {
                Files.deleteIfExists(file);
            }
        }
        catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Every document of a rendered chart, typed, or an {@link AssertionError} saying what is wrong. */
    static List<HasMetadata> parse(String manifests) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        List<HasMetadata> objects = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Object document : new Yaml(options).loadAll(manifests)) {
            if (document == null) {
                continue;
            }
            if (!(document instanceof Map<?, ?> map)) {
                problems.add("a document that is not a mapping: " + document);
                continue;
            }
            String type = map.get("apiVersion") + "/" + map.get("kind");
            Class<?> modelClass = TYPES.get(type);
            if (modelClass == null) {
                problems.add("unexpected kind " + type);
                continue;
            }
            HasMetadata object;
            try {
                object = (HasMetadata) MAPPER.convertValue(map, modelClass);
            }
            catch (IllegalArgumentException ex) {
                problems.add(type + ": " + ex.getMessage());
                continue;
            }
            String where = type + " " + object.getMetadata().getName();
            if (!(object instanceof GenericKubernetesResource)) {
                unknownFields(object, where, problems, new IdentityHashMap<>());
            }
            objects.add(object);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("The rendered chart is not strictly valid:\n  " + String.join("\n  ", problems));
        }
        return objects;
    }

    /** Collects every non-empty {@code additionalProperties} below {@code value}, with its path. */
    private static void unknownFields(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value.getClass().isEnum() || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> unknownFields(item, path + "." + key, problems, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            }
            catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
                continue;
            }
            String name = getter.getName().substring(3);
            unknownFields(field, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1), problems,
                    seen);
        }
    }

    /** Reads a file of the chart. */
    static String file(String relative) {
        try {
            return Files.readString(DIR.resolve(relative), StandardCharsets.UTF_8);
        }
        catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** One rendering, with look-ups by kind and name. */
    record Rendered(List<HasMetadata> objects) {

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T get(Class<T> type, String name) {
            return all(type).stream()
                    .filter(o -> o.getMetadata().getName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in "
                            + all(type).stream().map(o -> o.getMetadata().getName()).toList()));
        }

        <T extends HasMetadata> boolean has(Class<T> type, String name) {
            return all(type).stream().anyMatch(o -> o.getMetadata().getName().equals(name));
        }

        /** A Secret's data, decoded. */
        Map<String, String> secretData(String name) {
            Secret secret = get(Secret.class, name);
            Map<String, String> data = new LinkedHashMap<>();
            Objects.requireNonNullElse(secret.getData(), Map.<String, String>of())
                    .forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
            Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of()).forEach(data::put);
            return data;
        }

        /** Every Secret value the rendering holds. */
        Set<String> secretValues() {
            return all(Secret.class).stream()
                    .flatMap(s -> secretData(s.getMetadata().getName()).values().stream())
                    .collect(Collectors.toSet());
        }
    }
}
