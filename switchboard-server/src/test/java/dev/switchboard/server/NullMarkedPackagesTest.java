package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * NullAway checks only packages marked {@code @NullMarked} ({@code -XepOpt:NullAway:OnlyNullMarked=true} in the
 * parent pom), so a main package without the mark in its {@code package-info.java} would escape it without a word.
 * Checked on the compiled main classes of every module; generated code (Thrift, JMH) is not analysed.
 */
class NullMarkedPackagesTest {
    private static final String GENERATED_THRIFT = "dev.switchboard.protocol.thrift";

    @Test
    void everyMainPackageIsNullMarked() {
        // Given every package holding main classes of the modules
        Set<String> packages = new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.switchboard")
                        .stream()
                        .map(JavaClass::getPackageName)
                        .filter(name -> !name.startsWith(GENERATED_THRIFT) && !name.contains("jmh_generated"))
                        .collect(Collectors.toCollection(TreeSet::new));

        // When asking each for its package annotation
        List<String> unmarked =
                packages.stream().filter(name -> !nullMarked(name)).toList();

        // Then the modules are all there, and every package is marked
        assertThat(packages)
                .contains(
                        "dev.switchboard.protocol.tcp",
                        "dev.switchboard.core.audit",
                        "dev.switchboard.backend.internal",
                        "dev.switchboard.client.internal",
                        "dev.switchboard.bench",
                        "dev.switchboard.server.cli",
                        "dev.switchboard.testkit.internal",
                        "dev.switchboard.benchmarks");
        assertThat(unmarked)
                .as("packages without @NullMarked in their package-info.java (NullAway skips them)")
                .isEmpty();
    }

    private static boolean nullMarked(String packageName) {
        try {
            return Class.forName(packageName + ".package-info").isAnnotationPresent(NullMarked.class);
        } catch (ClassNotFoundException e) {
            return false; // no package-info.java
        }
    }
}
