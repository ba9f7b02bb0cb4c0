package dev.spectrum.helm;

import dev.spectrum.operator.rbac.OperatorPermissions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the operator uses of the Kubernetes API, derived from its classes
 * ({@link OperatorPermissions}): each reconciler's primary resource with its status and
 * finalizers (the verbs java-operator-sdk uses on them, where quarkus-operator-sdk's generated
 * ClusterRoles grant all common verbs), the @RBACRule declarations of the reconcilers, the
 * dependents of their workflows, and reading CRDs when the operator validates them at start
 * (quarkus.operator-sdk.crd.validate, true by default). One (apiGroup, resource, verb) per entry;
 * cluster-scoped resources flagged.
 */
final class OperatorRbac {

    /** One permission. */
    record Permission(String apiGroup, String resource, String verb) implements Comparable<Permission> {
        boolean clusterScoped() {
            return CLUSTER_SCOPED.contains(apiGroup + "/" + resource);
        }

        @Override
        public int compareTo(Permission o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + ": " + verb;
        }
    }

    static final Set<String> CLUSTER_SCOPED = Set.of("apiextensions.k8s.io/customresourcedefinitions", "/namespaces", "/nodes",
            "rbac.authorization.k8s.io/clusterroles", "rbac.authorization.k8s.io/clusterrolebindings");

    private OperatorRbac() {
    }

    static Set<Permission> derive() throws IOException {
        Set<Permission> permissions = new TreeSet<>();
        // each reconciler's primary resource (trimmed to the verbs java-operator-sdk uses on it),
        // its @RBACRules and the dependents of its workflow, as the operator derives them from its code
        for (var rule : OperatorPermissions.rules().entrySet()) {
            String[] groupResource = rule.getKey().split("/", 2);
            for (String verb : rule.getValue()) {
                permissions.add(new Permission(groupResource[0], groupResource[1], verb));
            }
        }
        if (Boolean.parseBoolean(operatorSetting("quarkus.operator-sdk.crd.validate", "true"))) {
            permissions.add(new Permission("apiextensions.k8s.io", "customresourcedefinitions", "get"));
            permissions.add(new Permission("apiextensions.k8s.io", "customresourcedefinitions", "list"));
        }
        return permissions;
    }

    /** The reconcilers' primary resources with their status and finalizers subresources ("group/plural[/sub]"). */
    static Set<String> primaryResources() {
        Set<String> resources = new TreeSet<>();
        for (Class<?> reconciler : OperatorPermissions.RECONCILERS) {
            Class<? extends HasMetadata> primary = OperatorPermissions.primaryResource(reconciler);
            for (String sub : List.of("", "/status", "/finalizers")) {
                resources.add(HasMetadata.getGroup(primary) + "/" + HasMetadata.getPlural(primary) + sub);
            }
        }
        return resources;
    }

    private static String operatorSetting(String key, String otherwise) throws IOException {
        try (InputStream in = OperatorRbac.class.getResourceAsStream("/application.properties")) {
            if (in == null) {
                throw new AssertionError("the operator's application.properties is not on the test class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, otherwise);
        }
    }
}
