package dev.spectrum.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated ClusterRoles grant what the reconcilers use, and no wildcard. */
class RbacTest {

    @Test
    void theFunnelRoleListsTheObjectsItReadsAndWrites() throws Exception {
        List<String> rules = rules("funnel-cluster-role");
        assertThat(rules).contains(
                "spectrum.dev/spectrums: get",
                "/secrets: get",
                "/configmaps: get,create,update",
                "batch/cronjobs: get,create,update",
                "/events: create");
        assertThat(rules).noneMatch(r -> r.contains("*"));
        assertThat(rules("spectrum-cluster-role")).contains("/secrets: get", "/events: create").noneMatch(r -> r.contains("*"));
    }

    private static List<String> rules(String role) throws Exception {
        var yaml = new YAMLMapper();
        List<String> rules = new ArrayList<>();
        try (var parser = yaml.getFactory().createParser(Path.of("target/kubernetes/kubernetes.yml").toFile())) {
            var documents = yaml.readValues(parser, JsonNode.class);
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if ("ClusterRole".equals(document.path("kind").asText()) && role.equals(document.at("/metadata/name").asText())) {
                    for (JsonNode rule : document.path("rules")) {
                        for (JsonNode resource : rule.path("resources")) {
                            List<String> verbs = new ArrayList<>();
                            rule.path("verbs").forEach(v -> verbs.add(v.asText()));
                            rules.add(rule.path("apiGroups").get(0).asText() + "/" + resource.asText() + ": " + String.join(",", verbs));
                        }
                    }
                }
            }
        }
        assertThat(rules).as("ClusterRole %s", role).isNotEmpty();
        return rules;
    }
}
