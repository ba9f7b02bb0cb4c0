package dev.spectrum.helm;

import static dev.spectrum.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * values.schema.json, as helm install applies it: bad values are refused with a message naming
 * the value, and every values example in the docs is accepted.
 */
class ValuesSchemaTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "negative replica count       | operator.replicaCount                   | -1          | replicaCount",
        "unknown database kind        | spectrum.database.kind                  | mysql       | kind",
        "replicas of the wrong type   | operator.replicaCount                   | two         | replicaCount",
        "boolean of the wrong type    | spectrum.create                         | maybe       | create",
        "misspelled key               | operator.replicas                       | 2           | replicas",
        "a digest that is not sha256  | images.operator.digest                  | md5:abc     | digest",
        "a Spectrum name too long     | spectrum.name                           | a23456789012345678901234567890123456789012 | name",
        "a Spectrum name with capitals| spectrum.name                           | Prod        | name",
        "a watched namespace invalid  | operator.watchNamespaces[0]             | Shop_1      | watchNamespaces",
        "negative ingest replicas     | spectrum.ingest.replicas                | -3          | replicas",
        "zero CloudNativePG instances | spectrum.database.cloudNativePG.instances | 0         | instances",
        "a storage that is no size    | spectrum.database.managed.storage       | lots        | storage",
        "a schedule of four fields    | spectrum.pipeline.schedule              | '* * * *'   | schedule",
        "unknown pull policy          | images.operator.pullPolicy              | Sometimes   | pullPolicy",
    })
    void badValuesAreRefusedWithAMessage(String what, String key, String value, String named) {
        Object typed = value.matches("-?\\d+") ? (Object) Integer.valueOf(value) : value;
        var error = Chart.error(sets(key, typed));
        assertThat(error).as(what).isPresent();
        assertThat(error.get()).as(what).contains("values don't meet the specifications of the schema").contains(named);
    }

    @ParameterizedTest(name = "an external database needs its Secret''s name")
    @CsvSource({"external"})
    void anExternalDatabaseWithoutASecretIsRefusedBeforeRendering(String kind) {
        assertThat(Chart.error(sets("spectrum.database.kind", kind))).hasValueSatisfying(m -> assertThat(m).contains("secretName"));
    }

    /** Every ```yaml block of the docs that starts with "# values" is a values file a user may pass with -f. */
    static List<String> documentedValues() throws Exception {
        List<String> examples = new ArrayList<>();
        for (Path doc : List.of(Chart.ROOT.resolve("docs/kubernetes.md"), Chart.ROOT.resolve("README.md"),
                Chart.ROOT.resolve("helm/README.md"))) {
            Matcher m = Pattern.compile("```yaml\\n(# values[^\\n]*\\n.*?)```", Pattern.DOTALL).matcher(Files.readString(doc));
            while (m.find()) {
                examples.add(m.group(1));
            }
        }
        assertThat(examples).as("values examples in docs/kubernetes.md").hasSizeGreaterThanOrEqualTo(5);
        return examples;
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("documentedValues")
    void everyValuesExampleInTheDocsIsAccepted(String example) throws Exception {
        Path file = Files.createTempFile("values", ".yaml");
        Files.writeString(file, example);
        var error = Chart.error(Map.of(), file);
        Files.delete(file);
        assertThat(error).as("%s", example).isEmpty();
    }

    @ParameterizedTest(name = "the chart's values.yaml and the examples' values files")
    @CsvSource({"helm/spectrum/values.yaml"})
    void theDefaultValuesFileIsAccepted(String path) {
        assertThat(Chart.error(Map.of(), Chart.ROOT.resolve(path))).isEmpty();
    }
}
