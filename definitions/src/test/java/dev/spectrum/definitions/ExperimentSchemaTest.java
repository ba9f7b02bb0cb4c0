package dev.spectrum.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Experiment schema rules of crds.md, checked against the committed CRD as the API server would. */
class ExperimentSchemaTest {

    static final ObjectMapper YAML = new YAMLMapper();
    static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        var crd = YAML.readTree(Files.readString(Path.of("../crds/experiments.spectrum.dev-v1.yml")));
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(crd.at("/spec/versions/0/schema/openAPIV3Schema"));
    }

    static Set<String> errors(String yaml) throws Exception {
        return schema.validate(YAML.readTree(yaml)).stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }

    static final String VALID = """
            apiVersion: spectrum.dev/v1alpha1
            kind: Experiment
            metadata: {name: new-checkout}
            spec:
              spectrumRef: {name: prod}
              variants:
                - {name: control, weight: 50}
                - {name: treatment, weight: 50}
              metrics:
                - {name: purchase_rate, type: conversion, event: purchase}
              stats: {alpha: 0.05, correction: holm}
            """;

    @Test
    void theExampleAndAMinimalExperimentPass() throws Exception {
        assertThat(errors(VALID)).isEmpty();
        assertThat(errors(Files.readString(Path.of("../examples/checkout-experiment.yaml")))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "one variant           | '    - {name: treatment, weight: 50}\n'            | ''                                       | variants",
        "zero weight           | '{name: treatment, weight: 50}'                    | '{name: treatment, weight: 0}'           | weight",
        "no metric             | '    - {name: purchase_rate, type: conversion, event: purchase}\n' | ''                 | metrics",
        "unknown metric type   | 'type: conversion'                                 | 'type: ratio'                            | type",
        "alpha 0.5             | 'alpha: 0.05'                                      | 'alpha: 0.5'                             | alpha",
        "alpha 0               | 'alpha: 0.05'                                      | 'alpha: 0'                               | alpha",
        "unknown correction    | 'correction: holm'                                 | 'correction: bonferroni'                 | correction",
    })
    void eachRuleRefusesItsField(String rule, String from, String to, String field) throws Exception {
        String broken = VALID.replace(from.replace("\\n", "\n"), to);
        assertThat(broken).as("the sample was changed").isNotEqualTo(VALID);
        assertThat(errors(broken)).as(rule).isNotEmpty().anyMatch(m -> m.contains(field));
    }

    @Test
    void elevenVariantsAreTooMany() throws Exception {
        StringBuilder variants = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            variants.append("    - {name: v").append(i).append(", weight: 1}\n");
        }
        String yaml = VALID.replace("    - {name: control, weight: 50}\n    - {name: treatment, weight: 50}\n", variants.toString());
        assertThat(errors(yaml)).anyMatch(m -> m.contains("variants"));
    }
}
