package dev.spectrum.operator.spectrum;

import dev.spectrum.operator.spectrum.state.SpectrumDatabase;
import dev.spectrum.operator.spectrum.state.SpectrumState;
import dev.spectrum.definitions.DefinitionDuration;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import dev.spectrum.definitions.v1alpha1.SpectrumStatus;
import dev.spectrum.operator.common.KubernetesEvents;
import dev.spectrum.operator.common.Reasons;
import dev.spectrum.operator.spectrum.database.DatabaseSetup;
import dev.spectrum.operator.spectrum.dependent.CloudNativePGDependents;
import dev.spectrum.operator.spectrum.dependent.DatabaseDependent;
import dev.spectrum.operator.spectrum.dependent.GrafanaDependents;
import dev.spectrum.operator.spectrum.dependent.IngestDependents;
import dev.spectrum.operator.spectrum.dependent.LoginSecretDependent;
import dev.spectrum.operator.spectrum.dependent.LoginsDependent;
import dev.spectrum.operator.spectrum.dependent.ManagedDatabaseDependents;
import dev.spectrum.operator.spectrum.dependent.PipelineCronJobDependent;
import dev.spectrum.operator.spectrum.dependent.Settings;
import dev.spectrum.operator.spectrum.dependent.SpectrumSecrets;
import dev.spectrum.operator.spectrum.dependent.WriteKeysSecretDependent;
import dev.spectrum.operator.spectrum.model.DatabaseModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A Spectrum (crds.md, "Spectrum in detail"): validate the spec, run the managed workflow (the
 * database's objects, the database itself, logins, write keys, ingest, pipeline, Grafana; order by
 * readiness), then write the status from what was observed. Deleting it under deletionPolicy
 * Delete drops the logins (finalizer); the owned objects go with their owner references.
 */
@ControllerConfiguration(name = "spectrum")
@Workflow(explicitInvocation = true, handleExceptionsInReconciler = true, dependents = {
        @Dependent(name = SpectrumReconciler.SUPERUSER_SECRET, type = ManagedDatabaseDependents.SuperuserSecretDependent.class,
                activationCondition = ManagedDatabaseDependents.IsManaged.class),
        @Dependent(name = "database-statefulset", type = ManagedDatabaseDependents.StatefulSetDependent.class,
                activationCondition = ManagedDatabaseDependents.IsManaged.class),
        @Dependent(name = "database-service", type = ManagedDatabaseDependents.ServiceDependent.class,
                activationCondition = ManagedDatabaseDependents.IsManaged.class),
        @Dependent(name = SpectrumReconciler.OWNER_SECRET, type = CloudNativePGDependents.OwnerSecretDependent.class,
                activationCondition = CloudNativePGDependents.IsCloudNativePG.class),
        @Dependent(name = "cloudnativepg-cluster", type = CloudNativePGDependents.ClusterDependent.class,
                activationCondition = CloudNativePGDependents.IsCloudNativePGInstalled.class),
        @Dependent(name = SpectrumReconciler.DATABASE, type = DatabaseDependent.class, readyPostcondition = DatabaseDependent.SchemaReady.class),
        @Dependent(name = "ingest-login", type = LoginSecretDependent.Ingest.class, useEventSourceWithName = SpectrumSecrets.EVENT_SOURCE, dependsOn = SpectrumReconciler.DATABASE),
        @Dependent(name = "pipeline-login", type = LoginSecretDependent.Pipeline.class, useEventSourceWithName = SpectrumSecrets.EVENT_SOURCE, dependsOn = SpectrumReconciler.DATABASE),
        @Dependent(name = "reader-login", type = LoginSecretDependent.Reader.class, useEventSourceWithName = SpectrumSecrets.EVENT_SOURCE, dependsOn = SpectrumReconciler.DATABASE),
        @Dependent(name = SpectrumReconciler.LOGINS, type = LoginsDependent.class,
                dependsOn = {"ingest-login", "pipeline-login", "reader-login"}, readyPostcondition = LoginsDependent.LoginsReady.class),
        @Dependent(name = SpectrumReconciler.WRITE_KEYS, type = WriteKeysSecretDependent.class, useEventSourceWithName = SpectrumSecrets.EVENT_SOURCE),
        @Dependent(name = "ingest-deployment", type = IngestDependents.DeploymentDependent.class,
                dependsOn = {SpectrumReconciler.LOGINS, SpectrumReconciler.WRITE_KEYS}),
        @Dependent(name = "ingest-service", type = IngestDependents.ServiceDependent.class),
        @Dependent(name = "ingest-autoscaler", type = IngestDependents.AutoscalerDependent.class,
                reconcilePrecondition = IngestDependents.AutoscalingOn.class),
        @Dependent(name = "pipeline-cronjob", type = PipelineCronJobDependent.class, dependsOn = SpectrumReconciler.LOGINS),
        @Dependent(name = "grafana-dashboards", type = GrafanaDependents.DashboardsDependent.class,
                reconcilePrecondition = GrafanaDependents.DashboardsOn.class),
        @Dependent(name = "grafana-datasource", type = GrafanaDependents.DatasourceSecretDependent.class, useEventSourceWithName = SpectrumSecrets.EVENT_SOURCE,
                dependsOn = SpectrumReconciler.LOGINS, reconcilePrecondition = GrafanaDependents.DatasourceOn.class),
})
@RBACRule(apiGroups = "", resources = "secrets", verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
@RBACRule(apiGroups = "apiextensions.k8s.io", resources = "customresourcedefinitions", verbs = "get")
public class SpectrumReconciler implements Reconciler<Spectrum>, Cleaner<Spectrum> {

    static final String SUPERUSER_SECRET = "database-superuser";
    static final String OWNER_SECRET = "database-owner";
    static final String DATABASE = "database";
    static final String LOGINS = "logins";
    static final String WRITE_KEYS = "write-keys";
    private static final Pattern NAME = Pattern.compile("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$");

    private final KubernetesClient client;
    private final Duration retry;
    private final Duration resultsInterval;

    public SpectrumReconciler(KubernetesClient client,
                              @ConfigProperty(name = "spectrum.operator.retry-interval", defaultValue = "30s") Duration retry,
                              @ConfigProperty(name = "spectrum.operator.results-interval", defaultValue = "60s") Duration resultsInterval) {
        this.client = client;
        this.retry = retry;
        this.resultsInterval = resultsInterval;
    }

    /** The one informer of the Secrets the workflow makes (its Secret dependents share it). */
    @Override
    public List<EventSource<?, Spectrum>> prepareEventSources(EventSourceContext<Spectrum> context) {
        return List.of(SpectrumSecrets.eventSource(context));
    }

    @Override
    public UpdateControl<Spectrum> reconcile(Spectrum spectrum, Context<Spectrum> context) {
        if (spectrum.getStatus() == null) {
            spectrum.setStatus(new SpectrumStatus());
        }
        List<String> problems = validate(spectrum);
        if (!problems.isEmpty()) {
            String reason = problems.get(0).startsWith("spec.database: the kind") ? Reasons.KIND_CHANGED : Reasons.INVALID_SPEC;
            SpectrumStatusWriter.invalid(spectrum, reason, String.join("; ", problems), client);
            return UpdateControl.patchStatus(spectrum);
        }
        SpectrumState state = SpectrumState.of(context);
        var result = context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        boolean ready = SpectrumStatusWriter.write(spectrum, state, result, client);
        return UpdateControl.patchStatus(spectrum).rescheduleAfter(ready ? resultsInterval : retry);
    }

    /** What the schema cannot say: the name's length, the kind staying the same, retention bounds. */
    static List<String> validate(Spectrum spectrum) {
        List<String> problems = new ArrayList<>();
        SpectrumSpec spec = spectrum.getSpec();
        String kind = spec == null || spec.getDatabase() == null ? null : spec.getDatabase().kind();
        String recorded = spectrum.getStatus() == null ? null : spectrum.getStatus().getDatabaseKind();
        if (kind != null && recorded != null && !kind.equals(recorded)) {
            problems.add("spec.database: the kind cannot change from " + recorded + " to " + kind
                    + "; set spec.database." + recorded + " back, or create a new Spectrum");
        }
        if (!NAME.matcher(spectrum.getMetadata().getName()).matches()) {
            problems.add("metadata.name: '" + spectrum.getMetadata().getName()
                    + "' must be a DNS label of at most 40 characters (a-z, 0-9, '-'; starting with a letter)");
        }
        if (kind == null) {
            problems.add("spec.database: set exactly one of managed, external and cloudNativePG");
        } else if ("external".equals(kind) && (spec.getDatabase().getExternal().getSecretRef() == null
                || spec.getDatabase().getExternal().getSecretRef().getName() == null)) {
            problems.add("spec.database.external.secretRef.name: name the Secret with host, port, database, username, password");
        }
        var retention = spec == null ? null : spec.getDataRetention();
        if (retention != null) {
            check(problems, "spec.dataRetention.staging", retention.getStaging(), Duration.ofHours(1), Duration.ofDays(3650));
            check(problems, "spec.dataRetention.events", retention.getEvents(), Duration.ofDays(31), null);
        }
        return problems;
    }

    private static void check(List<String> problems, String field, String text, Duration min, Duration max) {
        if (text == null) {
            return;
        }
        DefinitionDuration duration = DefinitionDuration.parse(text);
        if (duration == null || duration.unit() == 'm') {
            problems.add(field + ": '" + text + "' is not a number of hours or days (e.g. 7d, 48h)");
        } else if (duration.toDuration().compareTo(min) < 0 || (max != null && duration.toDuration().compareTo(max) > 0)) {
            problems.add(field + ": " + text + " is out of range (" + (max == null ? "at least " + min.toDays() + "d"
                    : "1h to " + max.toDays() + "d") + ")");
        }
    }

    /** Under deletionPolicy Delete the logins are dropped; under Retain they stay (a re-created Spectrum gives them new passwords). */
    @Override
    public DeleteControl cleanup(Spectrum spectrum, Context<Spectrum> context) {
        if (spectrum.getSpec() == null || spectrum.getSpec().getDatabase() == null || DatabaseModel.retain(spectrum)) {
            return DeleteControl.defaultDelete();
        }
        SpectrumNames names = new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
        try {
            SpectrumDatabase database = SpectrumDatabase.of(spectrum, client, Settings.addresses());
            for (SpectrumNames.Component component : SpectrumNames.Component.values()) {
                DatabaseSetup.dropLogin(database.dataSource(), names.login(component));
            }
            return DeleteControl.defaultDelete();
        } catch (SpectrumDatabase.Unavailable | SQLException e) {
            KubernetesEvents.record(client, spectrum, false, "DropLoginsFailed", "cannot drop the logins yet: "
                    + DatabaseSetup.firstLine(e.getMessage()));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(retry);
        }
    }
}
