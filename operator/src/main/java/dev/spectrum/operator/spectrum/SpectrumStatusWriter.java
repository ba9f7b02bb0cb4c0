package dev.spectrum.operator.spectrum;

import dev.spectrum.operator.spectrum.state.SpectrumState;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumStatus;
import dev.spectrum.operator.common.Conditions;
import dev.spectrum.operator.common.KubernetesEvents;
import dev.spectrum.operator.common.Reasons;
import dev.spectrum.operator.spectrum.database.DatabaseSetup;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one place that turns what a reconcile observed (the database state, the workflow's result,
 * the Deployment's available pods, the CronJob) into the Spectrum's conditions and status. Ready
 * comes from what was observed, never from what was applied. An Event is recorded when a
 * condition changes, not on every retry.
 */
public final class SpectrumStatusWriter {

    private SpectrumStatusWriter() {
    }

    /** Writes the status; returns whether the Spectrum is Ready. */
    public static boolean write(Spectrum spectrum, SpectrumState state, WorkflowReconcileResult result, KubernetesClient client) {
        SpectrumStatus status = spectrum.getStatus();
        Long generation = spectrum.getMetadata().getGeneration();
        List<Condition> conditions = status.getConditions();
        List<Condition> before = copy(conditions);
        SpectrumNames names = new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
        status.setObservedGeneration(generation);
        status.setDatabaseKind(spectrum.getSpec().getDatabase().kind());

        boolean database = state.databaseReady();
        if (database) {
            Conditions.set(conditions, Reasons.DATABASE_READY, true, Reasons.CONNECTED, "connected to " + state.database().describe(),
                    generation);
        } else {
            var why = state.unavailable();
            Conditions.set(conditions, Reasons.DATABASE_READY, false, why == null ? Reasons.PROVISIONING : why.reason,
                    why == null ? "not reconciled yet" : why.getMessage(), generation);
        }
        boolean schema = state.schemaReady();
        if (schema) {
            status.setSchemaVersion(state.schemaVersion());
            String message = "schema version " + state.schemaVersion();
            if (Boolean.FALSE.equals(state.retentionWritten())) {
                message += "; spec.dataRetention is kept until this schema version has warehouse.settings";
            }
            Conditions.set(conditions, Reasons.SCHEMA_READY, true, Reasons.MIGRATED, message, generation);
        } else if (state.migrationError() != null) {
            Conditions.set(conditions, Reasons.SCHEMA_READY, false, Reasons.MIGRATION_FAILED, state.migrationError(), generation);
        } else {
            Conditions.set(conditions, Reasons.SCHEMA_READY, "Unknown", Reasons.DATABASE_NOT_READY, "waiting for the database", generation);
        }

        Deployment deployment = client.apps().deployments().inNamespace(names.namespace()).withName(names.ingest()).get();
        int available = deployment == null || deployment.getStatus() == null || deployment.getStatus().getAvailableReplicas() == null
                ? 0 : deployment.getStatus().getAvailableReplicas();
        boolean ingest = deployment != null && available >= 1;
        if (ingest) {
            Conditions.set(conditions, Reasons.INGEST_READY, true, Reasons.AVAILABLE, available + " ingest pod(s) available", generation);
            status.setIngestEndpoint(names.ingestEndpoint());
        } else if (!state.loginsReady()) {
            Conditions.set(conditions, Reasons.INGEST_READY, false, state.loginsError() != null ? Reasons.LOGINS_FAILED : Reasons.DATABASE_NOT_READY,
                    state.loginsError() != null ? state.loginsError() : "the ingest Deployment waits for the schema and its login", generation);
        } else {
            Conditions.set(conditions, Reasons.INGEST_READY, false, Reasons.UNAVAILABLE, deployment == null
                    ? "creating Deployment " + names.ingest() : "no pod of Deployment " + names.ingest() + " is available yet", generation);
        }
        boolean pipeline = client.batch().v1().cronjobs().inNamespace(names.namespace()).withName(names.pipelineCronJob()).get() != null;
        Conditions.set(conditions, Reasons.PIPELINE_SCHEDULED, pipeline, pipeline ? Reasons.SCHEDULED : Reasons.DATABASE_NOT_READY,
                pipeline ? "CronJob " + names.pipelineCronJob() + " runs the pipeline" : "the pipeline CronJob waits for the schema and its login",
                generation);
        if (schema) {
            try {
                status.setLastPipelineRun(DatabaseSetup.lastPipelineRun(state.database().dataSource()));
            } catch (SQLException e) {
                // the last run stays as last read; DatabaseReady says whether the database is there
            }
        }

        String errors = result == null ? "" : result.getErroredDependents().entrySet().stream()
                .map(e -> e.getKey().name() + ": " + DatabaseSetup.firstLine(e.getValue().getMessage())).collect(Collectors.joining("; "));
        boolean ready = database && schema && ingest && pipeline && errors.isEmpty();
        Conditions.set(conditions, Reasons.READY, ready, ready ? Reasons.READY : Reasons.NOT_READY,
                ready ? "database, schema, ingest and pipeline are ready"
                        : errors.isEmpty() ? "see " + notReady(conditions) : "could not apply " + errors, generation);
        recordChanges(client, spectrum, before, conditions);
        return ready;
    }

    /** An invalid spec: Ready=False with what to change, nothing applied. */
    public static void invalid(Spectrum spectrum, String reason, String message, KubernetesClient client) {
        List<Condition> before = copy(spectrum.getStatus().getConditions());
        spectrum.getStatus().setObservedGeneration(spectrum.getMetadata().getGeneration());
        Conditions.set(spectrum.getStatus().getConditions(), Reasons.READY, false, reason, message, spectrum.getMetadata().getGeneration());
        recordChanges(client, spectrum, before, spectrum.getStatus().getConditions());
    }

    private static String notReady(List<Condition> conditions) {
        return conditions.stream().filter(c -> !Reasons.READY.equals(c.getType()) && !"True".equals(c.getStatus()))
                .map(Condition::getType).collect(Collectors.joining(", "));
    }

    /** One Event per condition whose status or reason changed. */
    private static void recordChanges(KubernetesClient client, Spectrum spectrum, List<Condition> before, List<Condition> after) {
        for (Condition condition : after) {
            Condition old = before.stream().filter(c -> c.getType().equals(condition.getType())).findFirst().orElse(null);
            if (old == null || !old.getStatus().equals(condition.getStatus()) || !old.getReason().equals(condition.getReason())) {
                KubernetesEvents.record(client, spectrum, !"False".equals(condition.getStatus()), condition.getReason(),
                        condition.getType() + "=" + condition.getStatus() + ": " + condition.getMessage());
            }
        }
    }

    private static List<Condition> copy(List<Condition> conditions) {
        List<Condition> copy = new ArrayList<>();
        for (Condition c : conditions) {
            copy.add(new io.fabric8.kubernetes.api.model.ConditionBuilder(c).build());
        }
        return copy;
    }
}
