package dev.spectrum.operator.funnel;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.funnel.FunnelDefinition;
import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.FunnelStatus;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.common.Conditions;
import dev.spectrum.operator.common.KubernetesEvents;
import dev.spectrum.operator.spectrum.SpectrumDatabase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A Funnel: validate → find its Spectrum's database → apply the generated view (unchanged SQL
 * changes nothing) → publish the SQL in a ConfigMap and own a refresh CronJob → read the total
 * row back into the status, again every results interval. Deleting the Funnel drops its view
 * (finalizer); the ConfigMap and CronJob go with their owner reference.
 */
@ControllerConfiguration(name = "funnel")
@RBACRule(apiGroups = "spectrum.dev", resources = "spectrums", verbs = "get")
@RBACRule(apiGroups = "", resources = "secrets", verbs = "get")
@RBACRule(apiGroups = "", resources = "configmaps", verbs = {"get", "create", "update"})
@RBACRule(apiGroups = "batch", resources = "cronjobs", verbs = {"get", "create", "update"})
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
public class FunnelReconciler implements Reconciler<Funnel>, Cleaner<Funnel> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final String refreshImage;
    private final Duration resultsInterval;

    public FunnelReconciler(KubernetesClient client,
                            @ConfigProperty(name = "spectrum.operator.refresh-image", defaultValue = "postgres:16-alpine") String refreshImage,
                            @ConfigProperty(name = "spectrum.operator.results-interval", defaultValue = "60s") Duration resultsInterval) {
        this.client = client;
        this.refreshImage = refreshImage;
        this.resultsInterval = resultsInterval;
    }

    @Override
    public UpdateControl<Funnel> reconcile(Funnel funnel, Context<Funnel> context) throws Exception {
        FunnelStatus status = funnel.getStatus() == null ? new FunnelStatus() : funnel.getStatus();
        funnel.setStatus(status);
        Long generation = funnel.getMetadata().getGeneration();

        FunnelDefinition definition;
        try {
            definition = FunnelDefinition.from(funnel);
        } catch (InvalidDefinitionException e) {
            return notReady(funnel, "InvalidSpec", String.join("; ", e.problems()), false);
        }
        Spectrum spectrum = client.resources(Spectrum.class).inNamespace(funnel.getMetadata().getNamespace())
                .withName(funnel.getSpec().getSpectrumRef().getName()).get();
        if (spectrum == null) {
            return notReady(funnel, "SpectrumNotFound", "no Spectrum named '" + funnel.getSpec().getSpectrumRef().getName()
                    + "' in namespace " + funnel.getMetadata().getNamespace() + "; create it or fix spec.spectrumRef", true);
        }
        SpectrumDatabase database;
        try {
            database = SpectrumDatabase.of(spectrum, client);
        } catch (SpectrumDatabase.Unavailable e) {
            return notReady(funnel, e.reason, e.getMessage(), true);
        }
        DataSource dataSource = database.dataSource();
        String sql = ViewStore.funnelSql(definition);
        String hash = ViewStore.sha256(sql);
        try {
            ViewStore.Outcome outcome = new ViewStore(dataSource).applyFunnel(definition, JSON.writeValueAsString(funnel.getSpec()));
            if (outcome != ViewStore.Outcome.UNCHANGED) {
                KubernetesEvents.record(client, funnel, true, outcome == ViewStore.Outcome.CREATED ? "ViewCreated" : "ViewReplaced",
                        "analytics." + definition.viewName() + " " + outcome.name().toLowerCase(java.util.Locale.ROOT));
            }
            readResults(dataSource, definition, status);
        } catch (SQLException e) {
            return notReady(funnel, "DatabaseError", "cannot apply the view in " + database.describe() + ": "
                    + firstLine(e.getMessage()), true);
        }
        client.resource(RefreshObjects.sqlConfigMap(funnel, "funnel", sql, hash)).createOr(NonDeletingOperation::update);
        client.resource(RefreshObjects.refreshCronJob(funnel, "funnel", definition.viewName(), definition.schedule(),
                database.secretName(), refreshImage)).createOr(NonDeletingOperation::update);

        status.setObservedGeneration(generation);
        status.setViewName("analytics." + definition.viewName());
        status.setSqlHash(hash);
        Conditions.set(status.getConditions(), "Ready", true, "Applied", "analytics." + definition.viewName()
                + " is applied and refreshed on " + definition.schedule(), generation);
        return UpdateControl.patchStatus(funnel).rescheduleAfter(resultsInterval);
    }

    @Override
    public DeleteControl cleanup(Funnel funnel, Context<Funnel> context) {
        Spectrum spectrum = funnel.getSpec() == null || funnel.getSpec().getSpectrumRef() == null ? null
                : client.resources(Spectrum.class).inNamespace(funnel.getMetadata().getNamespace())
                        .withName(funnel.getSpec().getSpectrumRef().getName()).get();
        if (spectrum == null) {
            return DeleteControl.defaultDelete(); // nothing to drop where there is no database
        }
        try {
            new ViewStore(SpectrumDatabase.of(spectrum, client).dataSource()).deleteFunnel(funnel.getMetadata().getName());
            KubernetesEvents.record(client, funnel, true, "ViewDropped", "the funnel's view is dropped");
            return DeleteControl.defaultDelete();
        } catch (SpectrumDatabase.Unavailable | SQLException e) {
            KubernetesEvents.record(client, funnel, false, "DropFailed", "cannot drop the view yet: " + firstLine(e.getMessage()));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
        }
    }

    private UpdateControl<Funnel> notReady(Funnel funnel, String reason, String message, boolean retry) {
        Long generation = funnel.getMetadata().getGeneration();
        funnel.getStatus().setObservedGeneration(generation);
        Conditions.set(funnel.getStatus().getConditions(), "Ready", false, reason, message, generation);
        KubernetesEvents.record(client, funnel, false, reason, message);
        UpdateControl<Funnel> control = UpdateControl.patchStatus(funnel);
        return retry ? control.rescheduleAfter(Duration.ofSeconds(30)) : control;
    }

    /** The total row's steps (when there is no breakdown) and the last refresh time. */
    private static void readResults(DataSource dataSource, FunnelDefinition definition, FunnelStatus status) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (definition.breakdown() == null) {
                List<FunnelStatus.StepResult> steps = new ArrayList<>();
                try (var q = c.prepareStatement("SELECT step_name, persons, conversion_rate FROM analytics.mv_conversion_funnels"
                        + " WHERE funnel = ? AND granularity = 'total' AND breakdown = '' ORDER BY step")) {
                    q.setString(1, definition.name());
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            steps.add(new FunnelStatus.StepResult(rs.getString(1), rs.getLong(2), (Double) rs.getObject(3)));
                        }
                    }
                }
                status.setSteps(steps);
                status.setOverallConversion(steps.isEmpty() ? null : steps.get(steps.size() - 1).conversionRate());
            }
            try (var q = c.prepareStatement("SELECT max(refreshed_at)::text FROM analytics.view_refreshes WHERE view_name = ?")) {
                q.setString(1, "analytics." + definition.viewName());
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    status.setLastRefreshTime(rs.getString(1));
                }
            }
        }
    }

    private static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse("");
    }
}
