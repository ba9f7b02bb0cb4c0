package dev.spectrum.helm;

import static dev.spectrum.helm.Chart.render;
import static dev.spectrum.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every object the chart renders, with the defaults and with each documented option, read the
 * way the API server would (as far as that can be done without one): into its fabric8 model
 * class with no unknown field anywhere, under Kubernetes' naming rules; and the Spectrum against
 * the committed CRD's schema, with no field the API server would prune.
 */
class ChartModelTest {

    static final Map<String, Map<String, Object>> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("defaults", Map.of());
        OPTIONS.put("spectrum.create=false", sets("spectrum.create", false));
        OPTIONS.put("watchNamespaces", sets("operator.watchNamespaces", List.of(Chart.NAMESPACE, "shop")));
        OPTIONS.put("external database", sets("spectrum.database.kind", "external", "spectrum.database.external.secretName", "pg"));
        OPTIONS.put("CloudNativePG", sets("spectrum.database.kind", "cloudNativePG", "spectrum.database.cloudNativePG.instances", 3));
        OPTIONS.put("Grafana off", sets("spectrum.grafana.dashboards", false, "spectrum.grafana.datasource", false));
        OPTIONS.put("image digest", sets("images.operator.digest", ChartTest.DIGEST, "images.spectrum.digest", ChartTest.DIGEST));
        OPTIONS.put("autoscaling and ingest settings", sets("spectrum.ingest.autoscaling.enabled", true,
                "spectrum.ingest.resources.requests.cpu", "250m", "spectrum.ingest.resources.limits.memory", "1Gi",
                "spectrum.ingest.writeKeysSecretName", "keys", "spectrum.ingest.image", "registry.example.com/spectrum:1"));
        OPTIONS.put("scheduling and pull secrets", sets("imagePullSecrets[0].name", "regcred", "operator.nodeSelector.pool", "system",
                "operator.tolerations[0].key", "dedicated", "operator.tolerations[0].operator", "Exists",
                "operator.podAnnotations.prometheus\\.io/scrape", "enabled", "operator.priorityClassName", "high",
                "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", "arn:aws:iam::1:role/x"));
    }

    static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    static JsonSchema spectrumSchema;
    static JsonNode spectrumOpenApi;

    @BeforeAll
    static void loadCrd() throws Exception {
        JsonNode crd = Chart.YAML.readTree(Files.readString(Chart.CHART.resolve("crds/spectrums.spectrum.dev-v1.yml")));
        spectrumOpenApi = crd.at("/spec/versions/0/schema/openAPIV3Schema");
        spectrumSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(spectrumOpenApi);
    }

    static List<String> options() {
        return List.copyOf(OPTIONS.keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void everyObjectIsAKnownModelWithNoUnknownField(String option) {
        Chart.Rendered rendered = render(OPTIONS.get(option));
        assertThat(rendered.objects()).isNotEmpty();
        for (JsonNode object : rendered.objects()) {
            HasMetadata model = read(object);
            assertThat(model).as("%s has a model class", object.path("kind")).isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(unknownFields(model)).as("fields of %s %s that its model does not know", object.path("kind"),
                    object.at("/metadata/name")).isEmpty();
            assertThat(KubernetesRules.problems(model)).as("%s %s", object.path("kind"), object.at("/metadata/name")).isEmpty();
        }
        assertThat(KubernetesRules.crossObjectProblems(rendered.objects().stream().map(ChartModelTest::read).toList()))
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void theSpectrumPassesTheCommittedCrdSchema(String option) {
        for (JsonNode spectrum : render(OPTIONS.get(option)).kind("Spectrum")) {
            Set<ValidationMessage> errors = spectrumSchema.validate(spectrum);
            assertThat(errors).as("%s", spectrum).isEmpty();
            assertThat(pruned(spectrum, spectrumOpenApi, "")).as("fields the API server would drop").isEmpty();
            // The CRD's CEL rule on spec.database (x-kubernetes-validations), checked by hand.
            JsonNode database = spectrum.at("/spec/database");
            long kinds = List.of("managed", "external", "cloudNativePG").stream().filter(database::has).count();
            assertThat(kinds).as("exactly one of managed, external, cloudNativePG").isEqualTo(1);
        }
    }

    @Test
    void theChecksCatchAMisspelledFieldAndAPrunedOne() throws Exception {
        JsonNode deployment = render(Map.of()).one("Deployment").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) deployment.at("/spec/template/spec/containers/0"))
                .put("imagePullPolicyy", "Always");
        assertThat(unknownFields(read(deployment))).containsExactly("spec.template.spec.containers[0].imagePullPolicyy");

        JsonNode spectrum = render(Map.of()).one("Spectrum").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) spectrum.at("/spec/ingest")).put("replica", 3);
        assertThat(pruned(spectrum, spectrumOpenApi, "")).containsExactly(".spec.ingest.replica");
        ((com.fasterxml.jackson.databind.node.ObjectNode) spectrum.at("/spec/ingest")).put("replicas", -1);
        assertThat(spectrumSchema.validate(spectrum)).extracting(ValidationMessage::getMessage)
                .anyMatch(m -> m.contains("replicas"));
    }

    static HasMetadata read(JsonNode object) {
        if (object.path("kind").asText().equals("Spectrum")) {
            return KUBERNETES.convertValue(object, Spectrum.class);
        }
        return KUBERNETES.unmarshal(object.toString());
    }

    /** Paths of fields that landed in a model's additionalProperties (fabric8's catch-all for unknown JSON). */
    static List<String> unknownFields(Object model) {
        List<String> found = new ArrayList<>();
        walk(model, "", found, new IdentityHashMap<>());
        return found;
    }

    private static void walk(Object value, String path, List<String> found, IdentityHashMap<Object, Boolean> seen) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?> || value.getClass().isPrimitive() || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, found, seen));
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (!(value instanceof KubernetesResource) && !value.getClass().getName().startsWith("dev.spectrum")) {
            return;
        }
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                    continue;
                }
                Object fieldValue;
                try {
                    field.setAccessible(true);
                    fieldValue = field.get(value);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue;
                }
                if (field.getName().equals("additionalProperties") && fieldValue instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> found.add((path + "." + k).substring(1)));
                } else {
                    walk(fieldValue, path + "." + field.getName(), found, seen);
                }
            }
        }
    }

    /** Fields the API server prunes: not declared in the structural schema and not under x-kubernetes-preserve-unknown-fields. */
    static List<String> pruned(JsonNode value, JsonNode schema, String path) {
        List<String> found = new ArrayList<>();
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return found;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            var names = value.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (path.isEmpty() && Set.of("apiVersion", "kind", "metadata").contains(name)) {
                    continue;
                }
                if (properties.has(name)) {
                    found.addAll(pruned(value.get(name), properties.get(name), path + "." + name));
                } else if (schema.has("additionalProperties") && schema.get("additionalProperties").isObject()) {
                    found.addAll(pruned(value.get(name), schema.get("additionalProperties"), path + "." + name));
                } else {
                    found.add(path + "." + name);
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                found.addAll(pruned(value.get(i), schema.get("items"), path + "[" + i + "]"));
            }
        }
        return found;
    }
}
