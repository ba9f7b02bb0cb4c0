package dev.spectrum.definitions;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The package rules of the definitions module, over every Spectrum package its tests can reach
 * (definitions and sql): no two packages import each other in a circle, and the pure layer
 * (resource types, checks, generators, kinds, files) never touches JDBC; only {@code apply} does.
 */
class ArchitectureTest {

    /** Every package is a slice of its own: dev.spectrum.definitions, dev.spectrum.definitions.funnel, ... */
    static final ArchRule NO_CYCLES = slices().matching("dev.spectrum.(**)").should().beFreeOfCycles();

    static final ArchRule PURE_WITHOUT_JDBC = noClasses()
            .that().resideInAnyPackage("dev.spectrum.definitions", "dev.spectrum.definitions.v1alpha1",
                    "dev.spectrum.definitions.filter", "dev.spectrum.definitions.sql", "dev.spectrum.definitions.funnel",
                    "dev.spectrum.definitions.experiment", "dev.spectrum.definitions.kind", "dev.spectrum.definitions.files")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..")
            .because("types, checks and generators are pure functions, tested without a database; JDBC lives in apply");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // the sql module's test helpers
            .importPackages("dev.spectrum");

    @Test
    void packagesImportEachOtherInNoCircle() {
        assertThat(MAIN.containPackage("dev.spectrum.definitions.funnel")).isTrue();
        NO_CYCLES.check(MAIN);
    }

    @Test
    void typesChecksAndGeneratorsUseNoJdbc() {
        assertThat(MAIN.containPackage("dev.spectrum.definitions.apply")).isTrue();
        PURE_WITHOUT_JDBC.check(MAIN);
    }

    @Test
    void theRulesCatchACircleAndJdbcInThePureLayer() {
        // two test-only packages that import each other: the cycle rule must see it
        JavaClasses cycle = new ClassFileImporter().importPackages("dev.spectrum.definitions.architecture.cycle");
        assertThat(NO_CYCLES.evaluate(cycle).hasViolation()).isTrue();
        // the real apply package uses JDBC: the same rule pointed at it must fail
        ArchRule applyWithoutJdbc = noClasses().that().resideInAPackage("dev.spectrum.definitions.apply")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..");
        assertThat(applyWithoutJdbc.evaluate(MAIN).hasViolation()).isTrue();
    }
}
