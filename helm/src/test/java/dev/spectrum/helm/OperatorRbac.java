package dev.spectrum.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the operator uses of the Kubernetes API, derived from its classes the way
 * quarkus-operator-sdk derives its generated ClusterRoles: each reconciler's primary resource
 * (with status and finalizers, all common verbs), the @RBACRule declarations of the reconcilers,
 * and reading CRDs when the operator validates them at start (quarkus.operator-sdk.crd.validate,
 * true by default). One (apiGroup, resource, verb) per entry; cluster-scoped resources flagged.
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

    /** The operator's reconcilers (kept in step with operator/src/main: a missing one fails below). */
    static final List<String> RECONCILERS = List.of(
            "dev.spectrum.operator.spectrum.SpectrumReconciler",
            "dev.spectrum.operator.funnel.FunnelReconciler",
            "dev.spectrum.operator.experiment.ExperimentReconciler");

    private OperatorRbac() {
    }

    static Set<Permission> derive() throws Exception {
        Set<Permission> permissions = new TreeSet<>();
        for (String name : RECONCILERS) {
            Class<?> reconciler = Class.forName(name);
            if (!reconciler.isAnnotationPresent(ControllerConfiguration.class)) {
                throw new AssertionError(name + " is not a @ControllerConfiguration reconciler");
            }
            Class<? extends HasMetadata> primary = primaryResource(reconciler);
            String group = HasMetadata.getGroup(primary);
            String plural = HasMetadata.getPlural(primary);
            for (String resource : List.of(plural, plural + "/status", plural + "/finalizers")) {
                for (String verb : RBACVerbs.ALL_COMMON_VERBS) {
                    permissions.add(new Permission(group, resource, verb));
                }
            }
            for (RBACRule rule : reconciler.getAnnotationsByType(RBACRule.class)) {
                for (String g : rule.apiGroups()) {
                    for (String r : rule.resources()) {
                        for (String v : rule.verbs()) {
                            permissions.add(new Permission(g, r, v));
                        }
                    }
                }
            }
        }
        // the dependents of the reconcilers' workflows, as the operator derives them from its code
        for (var rule : dev.spectrum.operator.rbac.OperatorPermissions.rules().entrySet()) {
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

    @SuppressWarnings("unchecked")
    private static Class<? extends HasMetadata> primaryResource(Class<?> reconciler) {
        for (Class<?> c = reconciler; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == Reconciler.class
                        && p.getActualTypeArguments()[0] instanceof Class<?> resource) {
                    return (Class<? extends HasMetadata>) resource;
                }
            }
            if (c.getGenericSuperclass() instanceof ParameterizedType p) {
                for (Type arg : p.getActualTypeArguments()) {
                    if (arg instanceof Class<?> resource && HasMetadata.class.isAssignableFrom(resource)) {
                        return (Class<? extends HasMetadata>) resource;
                    }
                }
            }
        }
        throw new AssertionError("cannot find the primary resource of " + reconciler);
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
