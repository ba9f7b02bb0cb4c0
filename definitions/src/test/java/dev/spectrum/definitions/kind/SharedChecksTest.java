package dev.spectrum.definitions.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.files.DefinitionFiles;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checks every kind shares (name, spectrumRef, refresh schedule) refuse the same mistakes in
 * a Funnel and in an Experiment, with the same words; and every kind's parser, name and shape
 * agree. No database.
 */
class SharedChecksTest {

    private static final String FUNNEL_SPEC = """
              steps: [{event: signup}, {event: purchase}]
            """;
    private static final String EXPERIMENT_SPEC = """
              variants: [{name: control, weight: 1}, {name: treatment, weight: 1}]
              metrics: [{name: bought, type: conversion, event: purchase}]
            """;

    private static String yaml(String kind, String name, String spectrumRef, String refresh, String spec) {
        return "apiVersion: spectrum.dev/v1alpha1\nkind: " + kind + "\nmetadata: {name: " + name + "}\nspec:\n"
                + (spectrumRef == null ? "" : "  spectrumRef: {name: " + spectrumRef + "}\n")
                + (refresh == null ? "" : "  refresh: {schedule: \"" + refresh + "\"}\n")
                + spec;
    }

    private static Definition check(String yaml) throws IOException {
        var resource = DefinitionFiles.parse(yaml).get(0);
        return DefinitionKind.of(resource).check(resource);
    }

    private static List<String> problems(String yaml) {
        try {
            check(yaml);
        } catch (InvalidDefinitionException e) {
            return e.problems();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void anExperimentWithAScheduleThatIsNotCronIsRefusedLikeAFunnel() {
        String expected = "spec.refresh.schedule: 'every day' is not a cron schedule with five fields";
        assertThat(problems(yaml("Experiment", "new-checkout", "prod", "every day", EXPERIMENT_SPEC))).containsExactly(expected);
        assertThat(problems(yaml("Funnel", "checkout", "prod", "every day", FUNNEL_SPEC))).containsExactly(expected);
    }

    @Test
    void badNamesAndMissingSpectrumRefsAreRefusedInBothKinds() {
        for (String[] kind : new String[][] {{"Funnel", FUNNEL_SPEC}, {"Experiment", EXPERIMENT_SPEC}}) {
            assertThat(problems(yaml(kind[0], "Bad_Name", null, null, kind[1]))).as(kind[0]).containsExactly(
                    "metadata.name: 'Bad_Name' must be a DNS label of at most 40 characters"
                            + " (lower-case letters, digits and '-', starting with a letter)",
                    "spec.spectrumRef.name: is required (the Spectrum whose database holds the view)");
        }
        String tooLong = "a".repeat(41);
        assertThat(problems(yaml("Experiment", tooLong, "prod", null, EXPERIMENT_SPEC))).singleElement()
                .asString().startsWith("metadata.name: '" + tooLong + "' must be a DNS label");
    }

    @Test
    void defaultsAndNamesAreTheSameForEveryKind() throws IOException {
        Definition funnel = check(yaml("Funnel", "check-out", "prod", null, FUNNEL_SPEC));
        Definition experiment = check(yaml("Experiment", "new-checkout", "prod", "0 * * * *", EXPERIMENT_SPEC));
        assertThat(funnel.schedule()).isEqualTo("*/5 * * * *");
        assertThat(experiment.schedule()).isEqualTo("0 * * * *");
        assertThat(funnel.kind()).isEqualTo("Funnel");
        assertThat(experiment.kind()).isEqualTo("Experiment");
        assertThat(funnel.label()).isEqualTo("funnel/check-out");
        assertThat(funnel.viewName().name()).isEqualTo("funnel_check_out");
        assertThat(funnel.viewName().qualified()).isEqualTo("analytics.funnel_check_out");
        assertThat(experiment.viewName().quoted()).isEqualTo("analytics.\"experiment_new_checkout\"");
        assertThat(funnel.createSql()).startsWith("CREATE MATERIALIZED VIEW analytics.\"funnel_check_out\" AS\nWITH ");
    }

    @Test
    void everyKindParsesToDefinitionsOfItsOwnNameAndShape() throws IOException {
        assertThat(DefinitionKind.names(", ")).isEqualTo("Funnel, Experiment");
        for (DefinitionKind kind : DefinitionKind.values()) {
            String spec = kind == DefinitionKind.FUNNEL ? FUNNEL_SPEC : EXPERIMENT_SPEC;
            Definition d = check(yaml(kind.kindName(), "x", "prod", null, spec));
            assertThat(DefinitionKind.named(kind.kindName())).contains(kind);
            assertThat(d.kind()).isEqualTo(kind.kindName());
            assertThat(d.shape()).isSameAs(kind.shape());
            assertThat(d.viewName().name()).isEqualTo(kind.kindName().toLowerCase() + "_x");
        }
        assertThat(DefinitionKind.named("funnel")).isEmpty();
    }
}
