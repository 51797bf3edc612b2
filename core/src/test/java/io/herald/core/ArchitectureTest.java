package io.herald.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The direction of dependencies: services depend on core, never the reverse; ports never import adapters. */
class ArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.herald.core");

    @Test
    void theImportSeesCore() {
        assertThat(CORE.contain("io.herald.core.broker.Broker")).isTrue();
        assertThat(CORE.contain("io.herald.core.broker.redis.RedisBroker")).isTrue();
    }

    @Test
    void coreDependsOnNoService() {
        ArchRule rule = noClasses().that().resideInAPackage("io.herald.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.edge..", "io.herald.publish..",
                        "io.herald.standalone..");

        rule.check(CORE);
    }

    @Test
    void brokerPortsDoNotDependOnTheRedisAdapterOrLettuce() {
        ArchRule rule = noClasses().that().resideInAPackage("io.herald.core.broker")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.core.broker.redis..", "io.lettuce..");

        rule.check(CORE);
    }

    @Test
    void theRuleAboutPortsCatchesAViolation() {
        // The same rule over a package that does use Lettuce must fail, or the rule checks nothing.
        ArchRule rule = noClasses().that().resideInAPackage("io.herald.core.broker.redis")
                .should().dependOnClassesThat().resideInAnyPackage("io.herald.core.broker.redis..", "io.lettuce..");

        assertThat(rule.evaluate(CORE).hasViolation()).isTrue();
    }
}
