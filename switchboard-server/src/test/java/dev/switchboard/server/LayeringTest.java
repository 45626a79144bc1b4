package dev.switchboard.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point inwards (tiers -> core -> protocol), checked on the compiled classes of every module
 * rather than remembered (STYLE.md, point 2).
 */
class LayeringTest {
    private static final String ENCRYPTION_BENCHMARK = "dev.switchboard.benchmarks.EncryptionBenchmark";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.switchboard");
    }

    @Test
    void protocolDependsOnNoOtherModule() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.switchboard.protocol..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.switchboard.core..",
                        "dev.switchboard.switching..",
                        "dev.switchboard.backend..",
                        "dev.switchboard.api..",
                        "dev.switchboard.client..",
                        "dev.switchboard.server.."));
    }

    @Test
    void coreUsesNoFrameworkAndNoTier() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.switchboard.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "com.rabbitmq..",
                        "org.eclipse.jetty..",
                        "dev.switchboard.switching..",
                        "dev.switchboard.backend..",
                        "dev.switchboard.api..",
                        "dev.switchboard.client..",
                        "dev.switchboard.server.."));
    }

    @Test
    void switchKnowsNoTierAndNoKafkaOrHttp() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.switchboard.switching..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "org.eclipse.jetty..",
                        "dev.switchboard.backend..",
                        "dev.switchboard.api..",
                        "dev.switchboard.client..",
                        "dev.switchboard.server.."));
    }

    @Test
    void apiTierReachesTheBackendOnlyThroughTheSwitch() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.switchboard.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "dev.switchboard.backend..",
                        "dev.switchboard.client..",
                        "dev.switchboard.server.."));
    }

    @Test
    void backendKnowsNoHttpNoApiAndNoClient() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.switchboard.backend..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.eclipse.jetty..",
                        "dev.switchboard.api..",
                        "dev.switchboard.client..",
                        "dev.switchboard.server.."));
    }

    @Test
    void clientNeverImportsServerSideCode() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.switchboard.client..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "org.eclipse.jetty..",
                        "dev.switchboard.switching..",
                        "dev.switchboard.backend..",
                        "dev.switchboard.api..",
                        "dev.switchboard.server.."));
    }

    @Test
    void benchDrivesSwitchboardThroughThePublicSdkOnly() {
        // the one exception: the shard hash (core.routing), a documented part of the cluster's behaviour, so the
        // scaling bench can give every shard as many topics
        check(noClasses()
                .that()
                .resideInAPackage("dev.switchboard.bench..")
                .should()
                .dependOnClassesThat(resideInAPackage("dev.switchboard.core..")
                        .and(not(resideInAPackage("dev.switchboard.core.routing..")))));
        check(noClasses()
                .that()
                .resideInAPackage("dev.switchboard.bench..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.eclipse.jetty..",
                        "dev.switchboard.switching..",
                        "dev.switchboard.backend..",
                        "dev.switchboard.api..",
                        "dev.switchboard.client.internal..",
                        "dev.switchboard.server.."));
    }

    @Test
    void onlyTheServerUsesTheBench() {
        check(noClasses()
                .that()
                .resideOutsideOfPackages("dev.switchboard.bench..", "dev.switchboard.server..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.switchboard.bench.."));
    }

    @Test
    void internalPackagesStayInsideTheirModule() {
        for (String module : new String[] {"backend", "api", "client"}) {
            check(noClasses()
                    .that()
                    .resideOutsideOfPackage("dev.switchboard." + module + "..")
                    .and()
                    .doNotHaveFullyQualifiedName(ENCRYPTION_BENCHMARK)
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("dev.switchboard." + module + ".internal.."));
        }
    }

    @Test
    void theEncryptionBenchmarkTimesTheCipherAndNothingElseInternal() {
        // a white-box microbenchmark of the backend's envelope encryption: the cipher, its data keys, nothing more
        check(noClasses()
                .that()
                .haveFullyQualifiedName(ENCRYPTION_BENCHMARK)
                .should()
                .dependOnClassesThat(resideInAPackage("dev.switchboard..internal..")
                        .and(not(nameMatching("dev\\.switchboard\\.backend\\.internal\\."
                                + "(EnvelopeCipher|DataKeys|RecordCipher)(\\$.*)?")))));
    }

    @Test
    void benchmarksAreLeaves() {
        check(noClasses()
                .that()
                .resideOutsideOfPackage("dev.switchboard.benchmarks..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.switchboard.benchmarks.."));
    }

    @Test
    void tiersMeterThroughTheFacadeOnly() {
        // Micrometer's core API in the tiers; which registry (Prometheus) and how it is served is the edge's choice
        check(noClasses()
                .that()
                .resideInAnyPackage("dev.switchboard.switching..", "dev.switchboard.backend..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.micrometer.prometheusmetrics..", "io.prometheus.."));
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }
}
