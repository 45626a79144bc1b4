package dev.switchboard.server;

import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * No cycles between source files: a file's classes (a top-level class with its nested ones) may use another
 * file's only if that file does not, directly or through others, use them back. Cycles make a change in one
 * class a change in all of them; an interface that names its implementations (a factory on the interface) is
 * the usual one. Checked on the compiled main classes of every module; generated code (Thrift, JMH) is left out.
 *
 * <p>One circle is by design: {@code Rejection}, the effect both session machines share, implements each
 * machine's sealed {@code Effect}, which permits it by name. A sealed type names its subtypes; that is the point.
 */
class ClassCyclesTest {
    private static final String GENERATED = "dev.switchboard.protocol.thrift";

    @Test
    void noCyclesBetweenFiles() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.switchboard");
        slices().assignedFrom(new SourceFiles())
                .should()
                .beFreeOfCycles()
                .ignoreDependency(
                        nameMatching("dev\\.switchboard\\.core\\.session\\.Rejection"),
                        nameMatching("dev\\.switchboard\\.core\\.session\\.(Read|Write)Machine\\$Effect"))
                .check(classes);
    }

    /** One slice per source file: a class belongs to its outermost enclosing class. */
    private static final class SourceFiles implements SliceAssignment {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            if (javaClass.getPackageName().startsWith(GENERATED)
                    || javaClass.getPackageName().contains("jmh_generated")) {
                return SliceIdentifier.ignore();
            }
            JavaClass outermost = javaClass;
            while (outermost.getEnclosingClass().isPresent()) {
                outermost = outermost.getEnclosingClass().get();
            }
            return SliceIdentifier.of(outermost.getName());
        }

        @Override
        public String getDescription() {
            return "source files";
        }
    }
}
