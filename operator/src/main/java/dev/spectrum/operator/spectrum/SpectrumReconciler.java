package dev.spectrum.operator.spectrum;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumStatus;
import dev.spectrum.operator.common.Conditions;
import dev.spectrum.operator.common.KubernetesEvents;
import dev.spectrum.sql.Migrations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * A Spectrum: connect to its database and apply the schema migrations, then report
 * DatabaseReady, SchemaReady and Ready. The parts a later version handles (ingest, pipeline,
 * Grafana, managed databases) are reported as such, not ignored.
 */
@ControllerConfiguration(name = "spectrum")
@RBACRule(apiGroups = "", resources = "secrets", verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
public class SpectrumReconciler implements Reconciler<Spectrum> {

    private final KubernetesClient client;
    private final Duration retry;

    public SpectrumReconciler(KubernetesClient client,
                              @org.eclipse.microprofile.config.inject.ConfigProperty(name = "spectrum.operator.retry-interval",
                                      defaultValue = "30s") Duration retry) {
        this.client = client;
        this.retry = retry;
    }

    @Override
    public UpdateControl<Spectrum> reconcile(Spectrum spectrum, Context<Spectrum> context) {
        SpectrumStatus status = spectrum.getStatus() == null ? new SpectrumStatus() : spectrum.getStatus();
        spectrum.setStatus(status);
        Long generation = spectrum.getMetadata().getGeneration();
        List<io.fabric8.kubernetes.api.model.Condition> conditions = status.getConditions();
        status.setObservedGeneration(generation);
        reportNotYetHandled(spectrum, conditions, generation);

        boolean ready = false;
        try {
            SpectrumDatabase database = SpectrumDatabase.of(spectrum, client);
            var dataSource = database.dataSource();
            try (Connection ignored = dataSource.getConnection()) {
                Conditions.set(conditions, "DatabaseReady", true, "Connected", "connected to " + database.describe(), generation);
            } catch (SQLException e) {
                throw new SpectrumDatabase.Unavailable("Unreachable", "cannot connect to " + database.describe() + ": "
                        + firstLine(e.getMessage()));
            }
            try {
                var result = Migrations.migrate(dataSource);
                String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : Migrations.currentVersion(dataSource);
                status.setSchemaVersion(version);
                Conditions.set(conditions, "SchemaReady", true, "Migrated", "schema version " + version, generation);
                if (result.migrationsExecuted > 0) {
                    KubernetesEvents.record(client, spectrum, true, "Migrated",
                            "applied " + result.migrationsExecuted + " migrations, schema version " + version);
                }
                ready = true;
            } catch (RuntimeException e) {
                Conditions.set(conditions, "SchemaReady", false, "MigrationFailed", firstLine(e.getMessage()), generation);
                KubernetesEvents.record(client, spectrum, false, "MigrationFailed", firstLine(e.getMessage()));
            }
        } catch (SpectrumDatabase.Unavailable e) {
            Conditions.set(conditions, "DatabaseReady", false, e.reason, e.getMessage(), generation);
            Conditions.set(conditions, "SchemaReady", "Unknown", "DatabaseNotReady", "waiting for the database", generation);
            KubernetesEvents.record(client, spectrum, false, e.reason, e.getMessage());
        }
        Conditions.set(conditions, "Ready", ready, ready ? "Ready" : "NotReady",
                ready ? "the database is reachable and migrated" : "see DatabaseReady and SchemaReady", generation);
        UpdateControl<Spectrum> control = UpdateControl.patchStatus(spectrum);
        return ready ? control : control.rescheduleAfter(retry);
    }

    private static void reportNotYetHandled(Spectrum spectrum, List<io.fabric8.kubernetes.api.model.Condition> conditions,
                                            Long generation) {
        var spec = spectrum.getSpec();
        Conditions.set(conditions, "IngestReady", "Unknown", "NotYetHandled",
                spec != null && spec.getIngest() != null ? "spec.ingest is accepted but not yet handled by this version"
                        : "the ingest Deployment is not yet handled by this version", generation);
        Conditions.set(conditions, "PipelineScheduled", "Unknown", "NotYetHandled",
                "the pipeline CronJob is not yet handled by this version; run ./spectrum pipeline --every 5m", generation);
    }

    static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse("");
    }
}
