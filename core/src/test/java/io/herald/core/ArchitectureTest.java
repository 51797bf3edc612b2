package io.herald.core;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The direction of dependencies inside core: each port package is free of its adapters, there is
 * no cycle between core's packages, and only the Redis layer makes Redis clients. Each rule is
 * also shown to fail on code that breaks it, so none of them passes by matching nothing.
 * (Services depending on core and never the reverse is Maven's to enforce: core's classpath has
 * no service, so a rule about it could not fail.)
 */
class ArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.herald.core");

    /** A deliberate cycle in test code: {@code testing.archcycle.one} ↔ {@code testing.archcycle.two}. */
    private static final JavaClasses CYCLE = new ClassFileImporter()
            .importPackages("io.herald.core.testing.archcycle");

    /** Ports and what their adapters are made of. */
    private static final String[] TECHNOLOGY = { "io.lettuce..", "io.herald.core.redis..", "io.netty..",
            "reactor.netty..", "org.springframework.web.reactive.function.client.." };

    @Test
    void theImportSeesCore() {
        assertThat(CORE.contain("io.herald.core.broker.Broker")).isTrue();
        assertThat(CORE.contain("io.herald.core.broker.redis.RedisBroker")).isTrue();
        assertThat(CYCLE.contain("io.herald.core.testing.archcycle.one.One")).isTrue();
    }

    /** A port package ({@code io.herald.core.app}) depends on none of its sub-packages ({@code app.redis}) nor on Redis or HTTP clients. */
    private static ArchRule portFreeOfAdapters(String port, String classesIn) {
        String[] forbidden = new String[TECHNOLOGY.length + 1];
        forbidden[0] = port + ".(*)..";
        System.arraycopy(TECHNOLOGY, 0, forbidden, 1, TECHNOLOGY.length);
        return noClasses().that().resideInAPackage(classesIn)
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .as("the port package " + port + " depends on none of its adapters");
    }

    @ParameterizedTest
    @ValueSource(strings = { "app", "state", "webhook", "auth", "broker", "usage", "debug" })
    void eachPortPackageIsFreeOfItsAdapters(String port) {
        String pkg = "io.herald.core." + port;
        assertThat(CORE.stream().anyMatch(c -> c.getPackageName().startsWith(pkg + ".")))
                .as(pkg + " has adapters").isTrue();

        portFreeOfAdapters(pkg, pkg).check(CORE);
    }

    @ParameterizedTest
    @ValueSource(strings = { "app", "state", "webhook", "auth", "broker", "usage", "debug" })
    void theRuleAboutPortsCatchesAViolation(String port) {
        // The same rule over the port and its adapters must fail: the adapters use their sub-package and technology.
        String pkg = "io.herald.core." + port;

        assertThat(portFreeOfAdapters(pkg, pkg + "..").evaluate(CORE).hasViolation()).isTrue();
    }

    /** No cycle between the packages under {@code root}; an adapter sub-package belongs to its port's slice. */
    private static ArchRule freeOfCycles(String root) {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles();
    }

    @Test
    void coreHasNoPackageCycles() {
        freeOfCycles("io.herald.core").check(CORE);
    }

    @Test
    void theRuleAboutCyclesCatchesACycle() {
        assertThat(freeOfCycles("io.herald.core.testing.archcycle").evaluate(CYCLE).hasViolation()).isTrue();
    }

    /** Only {@code subjects} may build Lettuce clients or client resources; everyone else goes through the layer. */
    private static ArchRule onlyTheRedisLayerMakesClients(String subjects) {
        return noClasses().that().resideInAPackage(subjects).and().resideOutsideOfPackage("io.herald.core.redis")
                .should().dependOnClassesThat().resideInAPackage("io.lettuce.core.resource..")
                .orShould().callMethodWhere(target(owner(JavaClass.Predicates.assignableTo(RedisClient.class)))
                        .and(target(name("create"))))
                .as("only io.herald.core.redis makes Redis clients and ClientResources (one set per process)");
    }

    @Test
    void onlyTheRedisLayerMakesRedisClients() {
        onlyTheRedisLayerMakesClients("io.herald.core..").check(CORE);
    }

    @Test
    void theRuleAboutRedisClientsCatchesAViolation() {
        ArchRule everyone = noClasses().that().resideInAPackage("io.herald.core..")
                .should().dependOnClassesThat().resideInAPackage("io.lettuce.core.resource..")
                .orShould().callMethodWhere(target(owner(JavaClass.Predicates.assignableTo(RedisClient.class)))
                        .and(target(name("create"))));

        assertThat(everyone.evaluate(CORE).hasViolation()).as("the layer itself makes them").isTrue();
    }
}
