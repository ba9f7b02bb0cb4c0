package dev.spectrum.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.spectrum.operator.rbac.OperatorPermissions;
import dev.spectrum.operator.experiment.ExperimentReconciler;
import dev.spectrum.operator.funnel.FunnelReconciler;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The verbs the operator uses, derived from the dependents and rules in the code (not from build
 * output), written out: only the objects and verbs it uses, no wildcard.
 */
class RbacTest {

    @Test
    void theOperatorUsesExactlyTheseVerbs() {
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        String all = "create,delete,get,list,patch,update,watch";
        expected.put("/configmaps", Set.of((all).split(",")));           // dashboards (bulk, switched off: deleted); definitions' SQL
        expected.put("/events", Set.of("create"));
        expected.put("/secrets", Set.of(all.split(",")));               // logins, write keys, superuser, owner, datasource
        expected.put("/services", Set.of(all.split(",")));
        expected.put("apiextensions.k8s.io/customresourcedefinitions", Set.of("get"));
        expected.put("apps/deployments", Set.of(all.split(",")));
        expected.put("apps/statefulsets", Set.of(all.split(",")));
        expected.put("autoscaling/horizontalpodautoscalers", Set.of(all.split(",")));
        expected.put("batch/cronjobs", Set.of(all.split(",")));
        expected.put("postgresql.cnpg.io/clusters", Set.of("create", "get", "list", "patch", "update", "watch"));
        // the primary resources: informers, the finalizer's patch, status patches, and update of
        // finalizers (for blockOwnerDeletion); never create or delete
        for (String primary : List.of("spectrums", "funnels", "experiments")) {
            expected.put("spectrum.dev/" + primary, Set.of("get", "list", "watch", "patch"));
            expected.put("spectrum.dev/" + primary + "/status", Set.of("patch"));
            expected.put("spectrum.dev/" + primary + "/finalizers", Set.of("update"));
        }
        assertThat(OperatorPermissions.rules()).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void definitionReconcilersDeclareWhatTheyReadAndWrite() {
        // ConfigMap and CronJob are workflow dependents: their verbs come from the dependents, not from rules
        List<String> expected = List.of(
                "spectrum.dev/spectrums: get",
                "/secrets: get",
                "/events: create");
        assertThat(rules(FunnelReconciler.class)).containsExactlyElementsOf(expected);
        assertThat(rules(ExperimentReconciler.class)).containsExactlyElementsOf(expected);
    }

    @Test
    void eachDefinitionReconcilerUsesExactlyTheseVerbs() {
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        String all = "create,delete,get,list,patch,update,watch";
        expected.put("/configmaps", Set.of(all.split(",")));    // sql-configmap: informer, create, update, garbage collected
        expected.put("/events", Set.of("create"));
        expected.put("/secrets", Set.of("get"));                 // the Spectrum's database Secret
        expected.put("batch/cronjobs", Set.of(all.split(",")));  // refresh-cronjob: the same
        expected.put("spectrum.dev/spectrums", Set.of("get"));     // the Spectrum it belongs to
        Map<String, Set<String>> funnel = new LinkedHashMap<>(expected);
        funnel.put("spectrum.dev/funnels", Set.of("get", "list", "watch", "patch"));
        funnel.put("spectrum.dev/funnels/status", Set.of("patch"));
        funnel.put("spectrum.dev/funnels/finalizers", Set.of("update"));
        assertThat(OperatorPermissions.rules(FunnelReconciler.class)).containsExactlyInAnyOrderEntriesOf(funnel);
        Map<String, Set<String>> experiment = new LinkedHashMap<>(expected);
        experiment.put("spectrum.dev/experiments", Set.of("get", "list", "watch", "patch"));
        experiment.put("spectrum.dev/experiments/status", Set.of("patch"));
        experiment.put("spectrum.dev/experiments/finalizers", Set.of("update"));
        assertThat(OperatorPermissions.rules(ExperimentReconciler.class)).containsExactlyInAnyOrderEntriesOf(experiment);
    }

    @Test
    void everyReconcilerIsInTheDerivation() {
        var annotated = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.spectrum.operator").stream()
                .filter(c -> c.isAnnotatedWith(ControllerConfiguration.class))
                .map(JavaClass::getName).toList();
        assertThat(annotated).containsExactlyInAnyOrderElementsOf(OperatorPermissions.RECONCILERS.stream().map(Class::getName).toList());
    }

    private static List<String> rules(Class<?> reconciler) {
        return Arrays.stream(reconciler.getAnnotationsByType(RBACRule.class))
                .peek(r -> assertThat(r.verbs()).doesNotContain("*"))
                .peek(r -> assertThat(r.resources()).doesNotContain("*"))
                .map(r -> String.join(",", r.apiGroups()) + "/" + String.join(",", r.resources()) + ": " + String.join(",", r.verbs()))
                .toList();
    }
}
