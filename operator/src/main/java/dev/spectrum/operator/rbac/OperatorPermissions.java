package dev.spectrum.operator.rbac;

import dev.spectrum.operator.experiment.ExperimentReconciler;
import dev.spectrum.operator.funnel.FunnelReconciler;
import dev.spectrum.operator.spectrum.SpectrumReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.BulkUpdater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The verbs the operator uses on each kind of object, derived from the code: each reconciler's
 * primary resource ({@link #PRIMARY_VERBS}, {@link #STATUS_VERBS}, {@link #FINALIZERS_VERBS}),
 * the dependents of each reconciler's workflow (an informer: get, list, watch; a Creator: create; an Updater: patch
 * and update (server-side apply patches, the mock server's tests update); a Deleter or garbage
 * collected dependent: delete) and the reconcilers' own {@link RBACRule}s, per reconciler
 * ({@link #rules(Class)}) and for the whole operator ({@link #rules()}). The Helm chart's test
 * compares its role against {@link #rules()}.
 */
public final class OperatorPermissions {

    public static final List<Class<?>> RECONCILERS = List.of(SpectrumReconciler.class, FunnelReconciler.class, ExperimentReconciler.class);

    /**
     * The primary resource: its informer (get, list, watch); java-operator-sdk adds and removes the
     * finalizer of a {@link Cleaner} with a patch (and reads the resource again on a conflict).
     * Never created or deleted, nor updated but for its finalizers subresource: quarkus-operator-sdk's
     * generated role grants all common verbs, the chart grants these.
     */
    public static final List<String> PRIMARY_VERBS = List.of("get", "list", "watch");
    /** {@code UpdateControl.patchStatus}: a patch of the status subresource (server-side apply or JSON merge). */
    public static final List<String> STATUS_VERBS = List.of("patch");
    /**
     * The owner references the dependents carry have {@code blockOwnerDeletion: true}, which the
     * API server's OwnerReferencesPermissionEnforcement admits only from who may update the
     * owner's finalizers subresource.
     */
    public static final List<String> FINALIZERS_VERBS = List.of("update");

    private OperatorPermissions() {
    }

    /** "group/resource" (core group: "") to its verbs, sorted: what all reconcilers use. */
    public static Map<String, Set<String>> rules() {
        Map<String, Set<String>> rules = new TreeMap<>();
        for (Class<?> reconciler : RECONCILERS) {
            rules(reconciler).forEach((resource, verbs) -> rules.computeIfAbsent(resource, k -> new TreeSet<>()).addAll(verbs));
        }
        return rules;
    }

    /** What one reconciler uses (quarkus-operator-sdk generates a ClusterRole per reconciler). */
    public static Map<String, Set<String>> rules(Class<?> reconciler) {
        Map<String, Set<String>> rules = new TreeMap<>();
        String primary = key(primaryResource(reconciler));
        rules.computeIfAbsent(primary, k -> new TreeSet<>()).addAll(PRIMARY_VERBS);
        if (Cleaner.class.isAssignableFrom(reconciler)) {
            rules.get(primary).add("patch");
        }
        rules.computeIfAbsent(primary + "/status", k -> new TreeSet<>()).addAll(STATUS_VERBS);
        rules.computeIfAbsent(primary + "/finalizers", k -> new TreeSet<>()).addAll(FINALIZERS_VERBS);
        Workflow workflow = reconciler.getAnnotation(Workflow.class);
        if (workflow != null) {
            for (Dependent dependent : workflow.dependents()) {
                Class<?> type = dependent.type();
                if (!KubernetesDependentResource.class.isAssignableFrom(type)) {
                    continue; // outside Kubernetes (the database)
                }
                Set<String> verbs = rules.computeIfAbsent(key(resourceType(type)), k -> new TreeSet<>());
                verbs.addAll(List.of("get", "list", "watch"));
                if (Creator.class.isAssignableFrom(type)) {
                    verbs.add("create");
                }
                if (Updater.class.isAssignableFrom(type) || BulkUpdater.class.isAssignableFrom(type)) {
                    verbs.addAll(List.of("patch", "update"));
                }
                if (Deleter.class.isAssignableFrom(type) || GarbageCollected.class.isAssignableFrom(type)) {
                    verbs.add("delete");
                }
            }
        }
        for (RBACRule rule : reconciler.getAnnotationsByType(RBACRule.class)) {
            for (String group : rule.apiGroups()) {
                for (String resource : rule.resources()) {
                    rules.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(List.of(rule.verbs()));
                }
            }
        }
        return rules;
    }

    /** The resource type a reconciler reconciles (its {@code Reconciler<P>}, directly or through a superclass). */
    @SuppressWarnings("unchecked")
    public static Class<? extends HasMetadata> primaryResource(Class<?> reconciler) {
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
        throw new IllegalArgumentException("cannot find the primary resource of " + reconciler);
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends HasMetadata> resourceType(Class<?> dependent) {
        try {
            return (Class<? extends HasMetadata>) ((DependentResource<?, ?>) dependent.getDeclaredConstructor().newInstance()).resourceType();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make " + dependent.getName() + ": " + e.getMessage(), e);
        }
    }

    private static String key(Class<? extends HasMetadata> type) {
        return HasMetadata.getGroup(type) + "/" + HasMetadata.getPlural(type);
    }
}
