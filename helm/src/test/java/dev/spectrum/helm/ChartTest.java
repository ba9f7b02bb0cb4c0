package dev.spectrum.helm;

import static dev.spectrum.helm.Chart.NAMESPACE;
import static dev.spectrum.helm.Chart.render;
import static dev.spectrum.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * helm lint --strict, and helm template with the defaults and with each documented option
 * (deploy.md, Helm chart), asserting the objects and the fields that matter.
 */
class ChartTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void lintStrictPassesOnTheDefaults() {
        LintResult lint = new Helm(Chart.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void lintStrictFailsOnABrokenChart() throws Exception {
        // The lint above can fail: the same chart with a template that does not parse.
        var copy = Files.createTempDirectory("chart");
        try (var files = Files.walk(Chart.CHART)) {
            for (var f : files.toList()) {
                var target = copy.resolve(Chart.CHART.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Files.writeString(copy.resolve("templates/broken.yaml"), "{{ if }}\n");
        LintResult lint = new Helm(copy).lint().strict().call();
        assertThat(lint.isFailed()).isTrue();
        assertThat(String.join("\n", lint.getMessages())).contains("broken.yaml");
    }

    @Test
    void theDefaultsInstallTheOperatorAndOneSpectrumWithAManagedDatabase() {
        Chart.Rendered r = render(Map.of());
        assertThat(r.kinds()).containsExactlyInAnyOrder(
                "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment", "Spectrum");

        JsonNode spectrum = r.one("Spectrum");
        assertThat(spectrum.at("/metadata/name").asText()).isEqualTo("prod");
        assertThat(spectrum.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(spectrum.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
        assertThat(spectrum.at("/spec/database/managed/storage").asText()).isEqualTo("20Gi");
        assertThat(spectrum.at("/spec/database/managed/image").asText()).isEqualTo("postgres:16");
        assertThat(spectrum.at("/spec/database").size()).as("one kind and the deletion policy").isEqualTo(2);
        assertThat(spectrum.at("/spec/database/deletionPolicy").asText()).isEqualTo("Retain");
        assertThat(spectrum.at("/spec/dataRetention").toString()).isEqualTo("{\"staging\":\"7d\"}");
        assertThat(spectrum.at("/spec/ingest/replicas").asInt()).isEqualTo(2);
        assertThat(spectrum.at("/spec/ingest").has("image")).as("the operator's default image applies").isFalse();
        assertThat(spectrum.at("/spec/pipeline/schedule").asText()).isEqualTo("*/5 * * * *");
        assertThat(spectrum.at("/spec/grafana/dashboards").asBoolean()).isTrue();
        assertThat(spectrum.at("/spec/grafana/datasource").asBoolean()).isTrue();
    }

    @Test
    void theOperatorPodIsHardened() {
        Chart.Rendered r = render(Map.of());
        JsonNode deployment = r.one("Deployment");
        assertThat(deployment.at("/metadata/name").asText()).isEqualTo("spectrum-operator");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(pod.at("/serviceAccountName").asText()).isEqualTo(r.one("ServiceAccount").at("/metadata/name").asText());

        JsonNode c = r.operatorContainer();
        assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(c.at("/securityContext/allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(c.at("/securityContext/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(c.at("/resources/requests/cpu").asText()).isEqualTo("100m");
        assertThat(c.at("/resources/requests/memory").asText()).isEqualTo("256Mi");
        assertThat(c.at("/resources/limits/memory").asText()).isEqualTo("512Mi");
        assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(c.at("/livenessProbe/httpGet/port").asText()).isEqualTo(c.at("/ports/0/name").asText());
        assertThat(c.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
        // A read-only root filesystem needs a writable /tmp for the JVM.
        assertThat(c.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/tmp");
        assertThat(pod.at("/volumes/0/name").asText()).isEqualTo(c.at("/volumeMounts/0/name").asText());
        assertThat(pod.at("/volumes/0/emptyDir").isObject()).isTrue();
    }

    @Test
    void theImagesDefaultToThisReleaseAndTheOperatorIsToldTheIngestImage() throws Exception {
        String appVersion = Chart.YAML.readTree(Chart.CHART.resolve("Chart.yaml").toFile()).path("appVersion").asText();
        assertThat(appVersion).isEqualTo(System.getProperty("spectrum.version", appVersion).replace("-SNAPSHOT", ""));
        Chart.Rendered r = render(Map.of());
        assertThat(r.operatorContainer().path("image").asText()).isEqualTo("ghcr.io/spectrum-dev/spectrum-operator:" + appVersion);
        assertThat(r.env("SPECTRUM_OPERATOR_INGEST_IMAGE")).isEqualTo("ghcr.io/spectrum-dev/spectrum:" + appVersion);
        assertThat(r.env("SPECTRUM_OPERATOR_REFRESH_IMAGE")).isEqualTo("postgres:16-alpine");
        assertThat(r.env("QUARKUS_OPERATOR_SDK_NAMESPACES")).as("all namespaces by default").isNull();
    }

    @Test
    void anImageDigestWinsOverTheTag() {
        Chart.Rendered r = render(sets("images.operator.digest", DIGEST, "images.operator.tag", "9.9.9",
                "images.spectrum.repository", "registry.example.com/spectrum", "images.spectrum.digest", DIGEST));
        assertThat(r.operatorContainer().path("image").asText()).isEqualTo("ghcr.io/spectrum-dev/spectrum-operator@" + DIGEST);
        assertThat(r.env("SPECTRUM_OPERATOR_INGEST_IMAGE")).isEqualTo("registry.example.com/spectrum@" + DIGEST);
        Chart.Rendered tagged = render(sets("images.operator.tag", "9.9.9"));
        assertThat(tagged.operatorContainer().path("image").asText()).isEqualTo("ghcr.io/spectrum-dev/spectrum-operator:9.9.9");
    }

    @Test
    void withoutASpectrumOnlyTheOperatorIsInstalled() {
        Chart.Rendered r = render(sets("spectrum.create", false));
        assertThat(r.kinds()).containsExactlyInAnyOrder("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment");
    }

    @Test
    void watchNamespacesGrantARolePerNamespaceAndTellTheOperator() {
        Chart.Rendered r = render(sets("operator.watchNamespaces", List.of(NAMESPACE, "shop")));
        assertThat(r.env("QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo(NAMESPACE + ",shop");
        assertThat(r.kind("Role")).extracting(o -> o.at("/metadata/namespace").asText()).containsExactly(NAMESPACE, "shop");
        assertThat(r.kind("RoleBinding")).extracting(o -> o.at("/metadata/namespace").asText()).containsExactly(NAMESPACE, "shop");
        for (JsonNode binding : r.kind("RoleBinding")) {
            assertThat(binding.at("/roleRef/kind").asText()).isEqualTo("Role");
            assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo(NAMESPACE);
        }
        // Only the cluster-scoped rules stay in the ClusterRole.
        assertThat(r.one("ClusterRole").path("rules")).extracting(rule -> rule.at("/resources/0").asText())
                .containsExactly("customresourcedefinitions");
    }

    @Test
    void aSpectrumOutsideTheWatchedNamespacesIsRefusedWithTheFix() {
        assertThat(Chart.error(sets("operator.watchNamespaces", List.of("shop"))))
                .hasValueSatisfying(m -> assertThat(m).contains("operator.watchNamespaces").contains(NAMESPACE)
                        .contains("spectrum.create=false"));
        assertThat(render(sets("operator.watchNamespaces", List.of("shop"), "spectrum.create", false)).kind("Role")).hasSize(1);
    }

    @Test
    void anExternalDatabaseNamesItsSecret() {
        Chart.Rendered r = render(sets("spectrum.database.kind", "external", "spectrum.database.external.secretName", "pg"));
        JsonNode database = r.one("Spectrum").at("/spec/database");
        assertThat(database.toString()).isEqualTo("{\"external\":{\"secretRef\":{\"name\":\"pg\"}},\"deletionPolicy\":\"Retain\"}");
        assertThat(Chart.error(sets("spectrum.database.kind", "external")))
                .hasValueSatisfying(m -> assertThat(m).contains("secretName"));
    }

    @Test
    void cloudNativePGAsksForACluster() {
        Chart.Rendered r = render(sets("spectrum.database.kind", "cloudNativePG",
                "spectrum.database.cloudNativePG.instances", 2, "spectrum.database.cloudNativePG.storage", "50Gi"));
        assertThat(r.one("Spectrum").at("/spec/database").toString())
                .isEqualTo("{\"cloudNativePG\":{\"instances\":2,\"storage\":\"50Gi\"},\"deletionPolicy\":\"Retain\"}");
    }

    @Test
    void theDeletionPolicyAndTheRetentionPassThroughAndBadValuesAreRefused() {
        Chart.Rendered r = render(sets("spectrum.database.deletionPolicy", "Delete", "spectrum.dataRetention.staging", "48h",
                "spectrum.dataRetention.events", "730d"));
        JsonNode spec = r.one("Spectrum").at("/spec");
        assertThat(spec.at("/database/deletionPolicy").asText()).isEqualTo("Delete");
        assertThat(spec.at("/dataRetention").toString()).isEqualTo("{\"staging\":\"48h\",\"events\":\"730d\"}");
        assertThat(Chart.error(sets("spectrum.database.deletionPolicy", "Drop")))
                .hasValueSatisfying(m -> assertThat(m).contains("deletionPolicy"));
        assertThat(Chart.error(sets("spectrum.dataRetention.staging", "7 days")))
                .hasValueSatisfying(m -> assertThat(m).contains("staging"));
        assertThat(Chart.error(sets("spectrum.dataRetention.events", "2y")))
                .hasValueSatisfying(m -> assertThat(m).contains("events"));
    }

    @Test
    void grafanaCanBeTurnedOff() {
        Chart.Rendered r = render(sets("spectrum.grafana.dashboards", false, "spectrum.grafana.datasource", false));
        assertThat(r.one("Spectrum").at("/spec/grafana").toString()).isEqualTo("{\"dashboards\":false,\"datasource\":false}");
    }

    @Test
    void autoscalingReplacesTheReplicaCountAndIngestSettingsPassThrough() {
        Chart.Rendered r = render(sets("spectrum.ingest.autoscaling.enabled", true, "spectrum.ingest.autoscaling.maxReplicas", 6,
                "spectrum.ingest.image", "registry.example.com/spectrum:custom", "spectrum.ingest.writeKeysSecretName", "keys",
                "spectrum.ingest.resources.requests.cpu", "250m"));
        JsonNode ingest = r.one("Spectrum").at("/spec/ingest");
        assertThat(ingest.has("replicas")).isFalse();
        assertThat(ingest.at("/autoscaling").toString())
                .isEqualTo("{\"minReplicas\":2,\"maxReplicas\":6,\"targetCPUUtilizationPercentage\":70}");
        assertThat(ingest.at("/image").asText()).isEqualTo("registry.example.com/spectrum:custom");
        assertThat(ingest.at("/writeKeysSecretRef/name").asText()).isEqualTo("keys");
        assertThat(ingest.at("/resources/requests/cpu").asText()).isEqualTo("250m");
    }

    @Test
    void everyObjectCarriesTheCommonLabels() {
        for (Map<String, Object> option : ChartModelTest.OPTIONS.values()) {
            for (JsonNode o : render(option).objects()) {
                JsonNode labels = o.at("/metadata/labels");
                assertThat(labels.path("helm.sh/chart").asText()).as("%s", o.path("kind")).isEqualTo("spectrum-0.1.0");
                assertThat(labels.path("app.kubernetes.io/name").asText()).isEqualTo("spectrum");
                assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo(Chart.RELEASE);
                assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
                assertThat(labels.path("app.kubernetes.io/part-of").asText()).isEqualTo("spectrum");
                assertThat(labels.path("app.kubernetes.io/version").asText()).isEqualTo("0.1.0");
            }
        }
    }

    @Test
    void noRbacAndAnExistingServiceAccount() {
        Chart.Rendered r = render(sets("rbac.create", false, "serviceAccount.create", false, "serviceAccount.name", "ops"));
        assertThat(r.kinds()).containsExactlyInAnyOrder("Deployment", "Spectrum");
        assertThat(r.one("Deployment").at("/spec/template/spec/serviceAccountName").asText()).isEqualTo("ops");
        assertThat(Chart.error(sets("serviceAccount.create", false)))
                .hasValueSatisfying(m -> assertThat(m).contains("serviceAccount.name is required"));
    }

    @Test
    void everyValueInValuesYamlHasAComment() throws Exception {
        assertThat(uncommented(Files.readAllLines(Chart.CHART.resolve("values.yaml")))).isEmpty();
        assertThat(uncommented(List.of("operator:", "  # -- documented", "  a: 1", "  b: 2", "  resources:", "    cpu: 1")))
                .as("the check can fail").containsExactly("operator.b", "operator.resources");
    }

    /**
     * Keys of values.yaml that are values (a scalar, a list, or a map given as one value) with no
     * comment line right above them. A group (a key whose children are documented keys) needs none.
     */
    static List<String> uncommented(List<String> lines) {
        var missing = new java.util.ArrayList<String>();
        var path = new java.util.ArrayDeque<String[]>(); // {indent, key}, innermost first
        int insideValueIndent = -1; // lines deeper than this belong to a documented map value
        var keyLine = java.util.regex.Pattern.compile("^( *)([A-Za-z][\\w.-]*):(.*)$");
        for (int i = 0; i < lines.size(); i++) {
            var m = keyLine.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            int indent = m.group(1).length();
            if (insideValueIndent >= 0 && indent > insideValueIndent) {
                continue;
            }
            insideValueIndent = -1;
            while (!path.isEmpty() && Integer.parseInt(path.peek()[0]) >= indent) {
                path.pop();
            }
            var parts = new java.util.ArrayList<String>();
            path.descendingIterator().forEachRemaining(p -> parts.add(p[1]));
            parts.add(m.group(2));
            String key = String.join(".", parts);
            boolean commented = i > 0 && lines.get(i - 1).trim().startsWith("#");
            // A key with nothing after the colon whose next line is a comment heads a group of documented values.
            boolean group = m.group(3).isBlank() && i + 1 < lines.size() && lines.get(i + 1).trim().startsWith("#");
            if (group) {
                path.push(new String[] {String.valueOf(indent), m.group(2)});
            } else {
                if (!commented) {
                    missing.add(key);
                }
                if (m.group(3).isBlank()) {
                    insideValueIndent = indent;
                }
            }
        }
        return missing;
    }

    @Test
    void theNotesSayHowToReachTheInstallation() {
        String notes = notes(Map.of());
        assertThat(notes).contains(
                "kubectl -n analytics wait spectrum/prod --for=condition=Ready",
                "kubectl -n analytics get spectrum prod -o jsonpath='{.status.ingestEndpoint}'",
                "kubectl -n analytics get secret prod-write-keys -o jsonpath='{.data.default}' | base64 -d",
                "port-forward svc/prod-ingest 8080:80",
                "curl -sS -X POST \"$ENDPOINT/v1/events\"", "Authorization: Bearer $WRITE_KEY",
                "sidecar.dashboards.searchNamespace=analytics", "sidecar.datasources.searchNamespace=analytics",
                "kubectl apply --server-side -f helm/spectrum/crds/", "manages all namespaces");
        assertThat(notes(sets("spectrum.ingest.writeKeysSecretName", "keys"))).contains("get secret keys -o jsonpath");
        assertThat(notes(sets("spectrum.grafana.dashboards", false, "spectrum.grafana.datasource", false)))
                .doesNotContain("searchNamespace");
        assertThat(notes(sets("spectrum.create", false))).contains("No Spectrum was created").doesNotContain("wait spectrum/");
    }

    /** NOTES.txt as helm install prints it (a client-only dry run: no cluster). */
    static String notes(Map<String, Object> sets) {
        var install = new Helm(Chart.CHART).install().withName(Chart.RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(Chart.KUBE_VERSION).dryRun().clientOnly();
        for (var set : sets.entrySet()) {
            install = install.set(set.getKey(), set.getValue());
        }
        return install.call().getOutput();
    }
}
