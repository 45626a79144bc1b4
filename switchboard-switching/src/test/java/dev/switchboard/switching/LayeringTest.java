package dev.switchboard.switching;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module's allowed dependencies, checked rather than remembered. */
class LayeringTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.switchboard.switching");

    @Test
    void theSwitchInterfaceKnowsNoTransport() {
        noClasses()
                .that()
                .resideInAPackage("dev.switchboard.switching")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.rabbitmq..", "dev.switchboard.switching.amqp..")
                .check(MAIN);
    }

    @Test
    void onlyTheAmqpSwitchUsesItsInternals() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.switchboard.switching.amqp..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.switchboard.switching.amqp.internal..")
                .check(MAIN);
    }

    @Test
    void noKafkaJettyOrTierModule() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "org.eclipse.jetty..",
                        "dev.switchboard.backend..",
                        "dev.switchboard.api..",
                        "dev.switchboard.client..",
                        "dev.switchboard.server..")
                .check(MAIN);
    }
}
