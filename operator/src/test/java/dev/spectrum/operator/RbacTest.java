package dev.spectrum.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.operator.experiment.ExperimentReconciler;
import dev.spectrum.operator.funnel.FunnelReconciler;
import dev.spectrum.operator.spectrum.SpectrumReconciler;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RBAC rules each reconciler declares (the generated ClusterRoles come from them, beside the
 * rules for its own resource): only the objects and verbs it uses, no wildcard.
 */
class RbacTest {

    @Test
    void definitionReconcilersDeclareWhatTheyReadAndWrite() {
        List<String> expected = List.of(
                "spectrum.dev/spectrums: get",
                "/secrets: get",
                "/configmaps: get,create,update",
                "batch/cronjobs: get,create,update",
                "/events: create");
        assertThat(rules(FunnelReconciler.class)).containsExactlyElementsOf(expected);
        assertThat(rules(ExperimentReconciler.class)).containsExactlyElementsOf(expected);
    }

    @Test
    void theSpectrumReconcilerReadsSecretsAndWritesEventsOnly() {
        assertThat(rules(SpectrumReconciler.class)).containsExactly("/secrets: get", "/events: create");
    }

    private static List<String> rules(Class<?> reconciler) {
        return Arrays.stream(reconciler.getAnnotationsByType(RBACRule.class))
                .peek(r -> assertThat(r.verbs()).doesNotContain("*"))
                .peek(r -> assertThat(r.resources()).doesNotContain("*"))
                .map(r -> String.join(",", r.apiGroups()) + "/" + String.join(",", r.resources()) + ": " + String.join(",", r.verbs()))
                .toList();
    }
}
