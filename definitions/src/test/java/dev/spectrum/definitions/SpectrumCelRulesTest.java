package dev.spectrum.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CEL rules of spec.database in the committed Spectrum CRD, evaluated with cel-java (the mock
 * API server does not evaluate them): exactly one kind, and the kind cannot change on an update.
 */
class SpectrumCelRulesTest {

    static final Map<String, Object> EXTERNAL = Map.of("external", Map.of("secretRef", Map.of("name", "pg")));
    static final Map<String, Object> MANAGED = Map.of("managed", Map.of("storage", "20Gi"));
    static final Map<String, Object> MANAGED_BIGGER = Map.of("managed", Map.of("storage", "50Gi"), "deletionPolicy", "Delete");

    @Test
    void theDatabaseKindIsOneAndCannotChange() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(Path.of("../crds/spectrums.spectrum.dev-v1.yml").toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/database/x-kubernetes-validations");
        assertThat(rules.size()).isEqualTo(2);
        String exactlyOne = rules.get(0).get("rule").asText();
        String unchanged = rules.get(1).get("rule").asText();
        assertThat(rules.get(1).get("message").asText()).contains("cannot change once set");

        assertThat(eval(exactlyOne, EXTERNAL, null)).isTrue();
        assertThat(eval(exactlyOne, Map.of(), null)).isFalse();
        assertThat(eval(exactlyOne, Map.of("external", Map.of(), "managed", Map.of()), null)).isFalse();

        assertThat(eval(unchanged, MANAGED_BIGGER, MANAGED)).isTrue();   // same kind, other settings: allowed
        assertThat(eval(unchanged, MANAGED, EXTERNAL)).isFalse();        // external -> managed: refused
        assertThat(eval(unchanged, EXTERNAL, MANAGED)).isFalse();
    }

    private static boolean eval(String rule, Map<String, Object> self, Map<String, Object> oldSelf) throws Exception {
        CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS) // has()
                .addVar("self", SimpleType.DYN).addVar("oldSelf", SimpleType.DYN).build();
        CelRuntime.Program program = CelRuntimeFactory.standardCelRuntimeBuilder().build()
                .createProgram(compiler.compile(rule).getAst());
        return (Boolean) program.eval(oldSelf == null ? Map.of("self", self) : Map.of("self", self, "oldSelf", oldSelf));
    }
}
