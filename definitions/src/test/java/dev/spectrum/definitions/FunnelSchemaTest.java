package dev.spectrum.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The schema rules of crds.md, checked against the committed CRD's openAPIV3Schema the way the
 * API server would (no cluster here): a valid Funnel passes, each broken one fails on its field.
 */
class FunnelSchemaTest {

    static final ObjectMapper YAML = new YAMLMapper();
    static JsonSchema schema;

    static final String VALID = """
            apiVersion: spectrum.dev/v1alpha1
            kind: Funnel
            metadata: {name: checkout}
            spec:
              spectrumRef: {name: prod}
              steps:
                - event: signup
                - event: added_to_cart
                  name: cart
                  where:
                    - {property: plan, op: in, values: [pro, team]}
                    - {property: seats, op: gte, value: 5}
                - event: purchase
              order: ordered
              window: 7d
              countBy: person
              breakdown: {property: utm_source}
              exclusions: [{event: cancelled, afterStep: 1, beforeStep: 2}]
              lookback: 90d
              refresh: {schedule: "*/5 * * * *"}
            """;

    @BeforeAll
    static void loadSchema() throws Exception {
        JsonNode crd = YAML.readTree(Files.readString(Path.of("../crds/funnels.spectrum.dev-v1.yml")));
        JsonNode openApi = crd.at("/spec/versions/0/schema/openAPIV3Schema");
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
    }

    static Set<String> errors(String yaml) throws Exception {
        return schema.validate(YAML.readTree(yaml)).stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }

    @Test
    void aCompleteFunnelAndTheExamplePass() throws Exception {
        assertThat(errors(VALID)).isEmpty();
        assertThat(errors(Files.readString(Path.of("../examples/checkout-funnel.yaml")))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no spectrumRef         | '  spectrumRef: {name: prod}'            | ''                                          | spectrumRef",
        "unknown order          | '  order: ordered'                       | '  order: sideways'                         | order",
        "window without unit    | '  window: 7d'                           | '  window: 7'                               | window",
        "window in weeks        | '  window: 7d'                           | '  window: 2w'                              | window",
        "unknown countBy        | '  countBy: person'                      | '  countBy: team'                           | countBy",
        "afterStep below 1      | 'afterStep: 1'                           | 'afterStep: 0'                              | afterStep",
        "empty step event       | '  - event: signup'                      | '    - event: \"\"'                           | event",
        "unknown filter op      | 'op: gte'                                | 'op: like'                                  | op",
        "schedule not cron      | 'schedule: \"*/5 * * * *\"'              | 'schedule: \"often\"'                         | schedule",
    })
    void eachRuleRefusesItsField(String rule, String from, String to, String field) throws Exception {
        String broken = VALID.replace(from.equals("  - event: signup") ? "    - event: signup" : from, to);
        assertThat(broken).as("the sample was changed").isNotEqualTo(VALID);
        assertThat(errors(broken)).as(rule).isNotEmpty().anyMatch(m -> m.contains(field));
    }

    @Test
    void oneStepIsTooFew() throws Exception {
        String yaml = VALID.replaceFirst("(?s)  steps:\n.*?\n  order:", "  steps:\n    - event: e\n  order:");
        assertThat(errors(yaml)).anyMatch(m -> m.contains("steps"));
    }

    @Test
    void twentyOneStepsAreTooMany() throws Exception {
        String steps = String.join("\n", java.util.Collections.nCopies(21, "    - event: e"));
        String yaml = VALID.replaceFirst("(?s)  steps:\n.*?\n  order:", "  steps:\n" + steps + "\n  order:");
        assertThat(errors(yaml)).anyMatch(m -> m.contains("steps"));
        assertThat(List.of(yaml.split("\n"))).filteredOn(l -> l.equals("    - event: e")).hasSize(21);
    }
}
