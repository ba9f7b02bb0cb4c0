package dev.spectrum.operator.definition;

import dev.spectrum.definitions.ViewName;
import dev.spectrum.definitions.v1alpha1.DefinitionStatus;
import dev.spectrum.operator.common.Conditions;
import dev.spectrum.operator.common.KubernetesEvents;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import java.util.stream.Collectors;

/**
 * The one place that writes a definition's {@code Ready} condition and the fields every
 * definition's status has. Ready comes from what the reconcile observed — the view applied in the
 * database and the ConfigMap and CronJob as the workflow left them — never from what was asked for.
 */
public final class DefinitionStatusWriter {

    static final String READY = "Ready";

    private DefinitionStatusWriter() {
    }

    /**
     * Ready=False with a reason and a message that says what to change, and a Warning Event when
     * that is news: the condition was not already False for the same reason (crds.md: an Event
     * when a condition changes, not at every retry).
     */
    static void notReady(KubernetesClient client, CustomResource<?, ? extends DefinitionStatus> resource, String reason,
                         String message) {
        Long generation = resource.getMetadata().getGeneration();
        resource.getStatus().setObservedGeneration(generation);
        if (Conditions.set(resource.getStatus().getConditions(), READY, false, reason, message, generation)) {
            KubernetesEvents.record(client, resource, false, reason, message);
        }
    }

    /**
     * Writes the status from what was observed: the applied view, the workflow's errors and the
     * ConfigMap and CronJob it found or made. Returns whether the definition is Ready.
     */
    static boolean write(KubernetesClient client, CustomResource<?, ? extends DefinitionStatus> resource, ViewName view,
                         WorkflowReconcileResult result, ConfigMap configMap, CronJob cronJob) {
        String errors = result == null ? "" : result.getErroredDependents().entrySet().stream()
                .map(e -> e.getKey().name() + ": " + DefinitionReconciler.firstLine(e.getValue().getMessage()))
                .collect(Collectors.joining("; "));
        if (!errors.isEmpty() || configMap == null || cronJob == null) {
            notReady(client, resource, "ApplyFailed", !errors.isEmpty() ? "could not apply " + errors
                    : (configMap == null ? "the SQL ConfigMap" : "the refresh CronJob") + " is not there yet");
            return false;
        }
        DefinitionStatus status = resource.getStatus();
        Long generation = resource.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        status.setViewName(view.qualified());
        status.setSqlHash(configMap.getData() == null ? null : configMap.getData().get(RefreshObjects.SQL_HASH_KEY));
        Conditions.set(status.getConditions(), READY, true, "Applied", view.qualified() + " is applied and refreshed on "
                + cronJob.getSpec().getSchedule(), generation);
        return true;
    }
}
