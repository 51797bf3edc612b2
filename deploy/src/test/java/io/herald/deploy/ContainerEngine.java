package io.herald.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * The container engine as the cluster test needs it: answering, with the local {@code docker-compose}
 * binary ({@link Required}: or the test is skipped, unless {@code HERALD_REQUIRE_CONTAINERS=1}, set by
 * {@code .ci/run}, makes that a failure), Herald's images built from this checkout
 * ({@link #buildImages}), and no compose project left behind by a test JVM that died.
 */
final class ContainerEngine {

    /** Compose projects of this test are named {@code heraldct<pid>x…}: the pid tells a leftover. */
    static final String PROJECT_PREFIX = "heraldct";
    private static final Pattern PROJECT = Pattern.compile(PROJECT_PREFIX + "(\\d+)x.*");
    private static final String COMPOSE_PROJECT_LABEL = "com.docker.compose.project";

    private ContainerEngine() {
    }

    /**
     * A JUnit condition ({@code @ExtendWith(ContainerEngine.Required.class)}): the test class is skipped, saying
     * why, without an engine, or fails under {@code HERALD_REQUIRE_CONTAINERS=1}.
     */
    static final class Required implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String missing = missing();
            if (missing == null) {
                return ConditionEvaluationResult.enabled("a container engine answers");
            }
            if ("1".equals(System.getenv("HERALD_REQUIRE_CONTAINERS"))) {
                throw new IllegalStateException("HERALD_REQUIRE_CONTAINERS=1 but " + missing);
            }
            String reason = "skipped: " + missing + " (HERALD_REQUIRE_CONTAINERS=1 makes this a failure)";
            System.out.println(context.getDisplayName() + " " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }

    private static String missing() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "no container engine answers (DOCKER_HOST=" + System.getenv("DOCKER_HOST")
                    + "); start one with eval \"$(docker/engine.sh)\"";
        }
        if (!onPath("docker-compose")) {
            return "docker-compose is not on the PATH (docker/engine.sh installs it)";
        }
        return null;
    }

    static DockerClient client() {
        return DockerClientFactory.lazyClient();
    }

    /** Removes the containers and networks of this test's compose projects whose JVM is gone. */
    static void removeLeftovers() {
        DockerClient client = client();
        List<String> deadProjects = new ArrayList<>();
        for (Container container : client.listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(COMPOSE_PROJECT_LABEL)).exec()) {
            String project = container.getLabels().get(COMPOSE_PROJECT_LABEL);
            Matcher matcher = PROJECT.matcher(project);
            if (matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()) {
                client.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
                if (!deadProjects.contains(project)) {
                    deadProjects.add(project);
                }
            }
        }
        client.listNetworksCmd().exec().stream()
                .filter(network -> deadProjects.stream().anyMatch(project -> network.getName().startsWith(project)))
                .forEach(network -> client.removeNetworkCmd(network.getId()).exec());
    }

    /**
     * Builds every image, tagged {@code tag}, with {@code docker/build-images.sh --skip-jars}, so the cluster runs the code
     * under test: what did not change since the last build comes from the engine's layer cache.
     * The service jars are packaged by this reactor's earlier modules (deploy is its last module); a
     * run of this module alone needs them packaged before ({@code ./mvnw -DskipTests package}).
     */
    static void buildImages(Path root, String tag) throws IOException, InterruptedException {
        Path log = root.resolve("deploy/target/build-images.log");
        ProcessBuilder build = new ProcessBuilder(root.resolve("docker/build-images.sh").toString(), "--skip-jars")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        build.environment().put("HERALD_IMAGE_TAG", tag);
        Process process = build.start();
        if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("docker/build-images.sh --skip-jars failed: "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        System.out.println("ClusterInContainersTest: " + Files.readString(log, StandardCharsets.UTF_8).strip());
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
