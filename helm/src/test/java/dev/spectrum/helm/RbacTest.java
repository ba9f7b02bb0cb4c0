package dev.spectrum.helm;

import static dev.spectrum.helm.Chart.render;
import static dev.spectrum.helm.Chart.sets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spectrum.helm.OperatorRbac.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The chart grants the operator exactly what its reconcilers and dependents use (OperatorRbac), no
 * more, no less, in both RBAC shapes: the list quarkus-operator-sdk generates from them, with the
 * primary resources trimmed to the verbs java-operator-sdk uses on them.
 */
class RbacTest {

    static final String FIX = "change helm/spectrum/templates/_rbac.tpl so that it grants exactly what the operator uses";

    @Test
    void theClusterRoleGrantsExactlyWhatTheOperatorUses() throws Exception {
        Set<Permission> used = OperatorRbac.derive();
        Set<Permission> granted = permissions(render(Map.of()).kind("ClusterRole"));
        assertThat(difference(used, granted)).as("used but not granted: " + FIX).isEmpty();
        assertThat(difference(granted, used)).as("granted but not used: " + FIX).isEmpty();
    }

    @Test
    void perNamespaceRolesGrantTheNamespacedPartAndTheClusterRoleTheRest() throws Exception {
        Set<Permission> used = OperatorRbac.derive();
        Chart.Rendered r = render(sets("operator.watchNamespaces", List.of(Chart.NAMESPACE, "shop")));
        Set<Permission> namespaced = filter(used, p -> !p.clusterScoped());
        for (JsonNode role : r.kind("Role")) {
            assertThat(permissions(List.of(role))).as("Role in %s: %s", role.at("/metadata/namespace"), FIX).isEqualTo(namespaced);
        }
        assertThat(permissions(r.kind("ClusterRole"))).as(FIX).isEqualTo(filter(used, Permission::clusterScoped));
    }

    @Test
    void noWildcards() {
        for (JsonNode rule : render(Map.of()).one("ClusterRole").path("rules")) {
            assertThat(rule.toString()).doesNotContain("\"*\"");
        }
    }

    @Test
    void theDerivationAgreesWithTheRolesQuarkusOperatorSdkGenerated() throws Exception {
        // operator/target/kubernetes/kubernetes.yml exists after the operator's package phase (mvn verify).
        Path generated = Chart.ROOT.resolve("operator/target/kubernetes/kubernetes.yml");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(generated), "the operator is not packaged yet");
        List<JsonNode> roles = Chart.parse(Files.readString(generated)).stream()
                .filter(o -> o.path("kind").asText().equals("ClusterRole")).toList();
        assertThat(roles).isNotEmpty();
        // quarkus-operator-sdk grants all common verbs on the primary resources; the operator uses
        // fewer there (OperatorPermissions.PRIMARY_VERBS and the rest), and exactly the rest elsewhere
        Set<String> primaries = OperatorRbac.primaryResources();
        Predicate<Permission> onPrimary = p -> primaries.contains(p.apiGroup() + "/" + p.resource());
        Set<Permission> fromQosdk = permissions(roles);
        Set<Permission> derived = OperatorRbac.derive();
        assertThat(filter(derived, onPrimary.negate())).isEqualTo(filter(fromQosdk, onPrimary.negate()));
        assertThat(filter(fromQosdk, onPrimary)).containsAll(filter(derived, onPrimary));
        assertThat(filter(derived, onPrimary)).hasSizeLessThan(filter(fromQosdk, onPrimary).size())
                .noneMatch(p -> p.verb().equals("create") || p.verb().equals("delete"));
    }

    static Set<Permission> permissions(List<JsonNode> roles) {
        Set<Permission> permissions = new TreeSet<>();
        for (JsonNode role : roles) {
            for (JsonNode rule : role.path("rules")) {
                assertThat(rule.has("resourceNames")).as("no resourceNames in %s (add them to OperatorRbac first)", rule).isFalse();
                for (JsonNode g : rule.path("apiGroups")) {
                    for (JsonNode res : rule.path("resources")) {
                        for (JsonNode v : rule.path("verbs")) {
                            permissions.add(new Permission(g.asText(), res.asText(), v.asText()));
                        }
                    }
                }
            }
        }
        return permissions;
    }

    private static Set<Permission> difference(Set<Permission> a, Set<Permission> b) {
        return filter(a, p -> !b.contains(p));
    }

    private static Set<Permission> filter(Set<Permission> set, Predicate<Permission> keep) {
        Set<Permission> out = new TreeSet<>();
        set.stream().filter(keep).forEach(out::add);
        return out;
    }
}
