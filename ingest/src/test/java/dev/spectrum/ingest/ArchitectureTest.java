package dev.spectrum.ingest;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * No two Spectrum packages import each other in a circle, over every package this module's tests
 * can reach (ingest and sql); each package is a slice of its own.
 */
class ArchitectureTest {

    @Test
    void packagesImportEachOtherInNoCircle() {
        JavaClasses main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // the sql module's test helpers
                .importPackages("dev.spectrum");
        assertThat(main.containPackage("dev.spectrum.ingest")).isTrue();
        slices().matching("dev.spectrum.(**)").should().beFreeOfCycles().check(main);
    }
}
