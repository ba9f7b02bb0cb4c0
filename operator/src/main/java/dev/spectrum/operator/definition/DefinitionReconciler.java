package dev.spectrum.operator.definition;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.kind.DefinitionKind;
import dev.spectrum.definitions.v1alpha1.DefinitionSpec;
import dev.spectrum.definitions.v1alpha1.DefinitionStatus;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumRef;
import dev.spectrum.operator.common.KubernetesEvents;
import dev.spectrum.operator.spectrum.state.SpectrumDatabase;
import dev.spectrum.operator.spectrum.dependent.Settings;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The lifecycle every definition shares (crds.md): validate → find its Spectrum's database →
 * apply the generated view (unchanged SQL changes nothing) → publish the SQL in a ConfigMap and
 * own a refresh CronJob → read results back into the status, again every results interval.
 * ConfigMap and CronJob are java-operator-sdk dependents ({@code definition/dependent/}, built by
 * {@link RefreshObjects}), applied by the managed workflow the subclasses declare with
 * {@code @Workflow(explicitInvocation = true)}: the workflow runs only once the view is applied.
 * Deleting the resource drops its view (finalizer); the ConfigMap and CronJob go with their owner
 * reference. Subclasses say how to check the resource and how to read its results. The primary
 * resource is the first type argument: java-operator-sdk (without Quarkus) reads it from there.
 */
public abstract class DefinitionReconciler<R extends CustomResource<P, S>, P extends DefinitionSpec, S extends DefinitionStatus>
        implements Reconciler<R>, Cleaner<R> {

    private static final ObjectMapper JSON = new ObjectMapper();

    protected KubernetesClient client;
    private String refreshImage;
    private Duration resultsInterval;
    private Duration retry;

    /** For CDI's client proxies only. */
    protected DefinitionReconciler() {
    }

    protected DefinitionReconciler(KubernetesClient client, String refreshImage, Duration resultsInterval, Duration retry) {
        this.client = client;
        this.refreshImage = refreshImage;
        this.resultsInterval = resultsInterval;
        this.retry = retry;
    }

    /** The kind of definition this reconciler keeps. */
    protected abstract DefinitionKind kind();

    /** The checked definition, or InvalidDefinitionException with what to change. */
    protected Definition define(R resource) {
        return kind().check(resource);
    }

    /** Drops the resource's view (by name: its spec may no longer be valid); false when another owns it. */
    protected boolean dropView(ViewStore store, String name) throws SQLException {
        return store.delete(kind().kindName(), kind().shape(), name);
    }

    /** A new, empty status of the resource's kind. */
    protected abstract S newStatus();

    /** Reads the view's results into the status (and may add conditions). */
    protected abstract void readResults(R resource, DataSource dataSource, Definition definition) throws SQLException;

    /**
     * Validate → find the Spectrum's database → apply the view → decide the ConfigMap and CronJob
     * and apply them through the workflow → observe them and the view's results → write the status.
     * Until the view is applied nothing is applied to Kubernetes either (an invalid spec keeps the
     * old objects as well as the old view).
     */
    @Override
    public UpdateControl<R> reconcile(R resource, Context<R> context) {
        if (resource.getStatus() == null) {
            resource.setStatus(newStatus());
        }
        Definition definition;
        try {
            definition = define(resource);
        } catch (InvalidDefinitionException e) {
            return notReady(resource, "InvalidSpec", String.join("; ", e.problems()), false);
        }
        String namespace = resource.getMetadata().getNamespace();
        Spectrum spectrum = client.resources(Spectrum.class).inNamespace(namespace).withName(spectrumRef(resource).getName()).get();
        if (spectrum == null) {
            return notReady(resource, "SpectrumNotFound", "no Spectrum named '" + spectrumRef(resource).getName()
                    + "' in namespace " + namespace + "; create it or fix spec.spectrumRef", true);
        }
        SpectrumDatabase database;
        try {
            database = SpectrumDatabase.of(spectrum, client, Settings.addresses());
        } catch (SpectrumDatabase.Unavailable e) {
            return notReady(resource, e.reason, e.getMessage(), true);
        }
        DataSource dataSource = database.dataSource();
        String sql = definition.createSql();
        try {
            ViewStore.Outcome outcome = new ViewStore(dataSource, owner(resource)).apply(definition,
                    JSON.writeValueAsString(resource.getSpec()));
            if (outcome != ViewStore.Outcome.UNCHANGED) {
                KubernetesEvents.record(client, resource, true, outcome == ViewStore.Outcome.CREATED ? "ViewCreated" : "ViewReplaced",
                        definition.viewName().qualified() + " " + outcome.name().toLowerCase(Locale.ROOT));
            }
        } catch (ViewStore.Conflict e) {
            return notReady(resource, "Conflict", e.getMessage(), false);
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            return notReady(resource, "DatabaseError", "cannot apply the view in " + database.describe() + ": "
                    + firstLine(e.getMessage()), true);
        }

        new DefinitionState(definition.kind(), definition.viewName().name(), definition.schedule(), sql, ViewStore.sha256(sql),
                new SpectrumNames(namespace, spectrum.getMetadata().getName()).loginSecret(SpectrumNames.Component.PIPELINE),
                refreshImage).putInto(context);
        WorkflowReconcileResult result = context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();

        String name = resource.getMetadata().getName();
        ConfigMap configMap = observed(context, ConfigMap.class, RefreshObjects.configMapName(definition.kind(), name));
        CronJob cronJob = observed(context, CronJob.class, RefreshObjects.cronJobName(definition.kind(), name));
        try {
            readResults(resource, dataSource, definition);
        } catch (SQLException e) {
            return notReady(resource, "DatabaseError", "cannot read the results in " + database.describe() + ": "
                    + firstLine(e.getMessage()), true);
        }
        boolean ready = DefinitionStatusWriter.write(client, resource, definition.viewName(), result, configMap, cronJob);
        return UpdateControl.patchStatus(resource).rescheduleAfter(ready ? resultsInterval : retry);
    }

    @Override
    public DeleteControl cleanup(R resource, Context<R> context) {
        SpectrumRef ref = spectrumRef(resource);
        Spectrum spectrum = ref.getName() == null || ref.getName().isEmpty() ? null
                : client.resources(Spectrum.class).inNamespace(resource.getMetadata().getNamespace()).withName(ref.getName()).get();
        if (spectrum == null) {
            return DeleteControl.defaultDelete(); // no database to drop anything from
        }
        try {
            var store = new ViewStore(SpectrumDatabase.of(spectrum, client, Settings.addresses()).dataSource(), owner(resource));
            if (dropView(store, resource.getMetadata().getName())) {
                KubernetesEvents.record(client, resource, true, "ViewDropped", "the view is dropped");
            }
            return DeleteControl.defaultDelete();
        } catch (SpectrumDatabase.Unavailable | SQLException e) {
            KubernetesEvents.record(client, resource, false, "DropFailed", "cannot drop the view yet: " + firstLine(e.getMessage()));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(retry);
        }
    }

    /** The definition's object of that type and name as the workflow left it (its informer's cache), or null. */
    private static <T extends HasMetadata> T observed(Context<?> context, Class<T> type, String name) {
        return context.getSecondaryResources(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst().orElse(null);
    }

    private static SpectrumRef spectrumRef(CustomResource<? extends DefinitionSpec, ?> resource) {
        return resource.getSpec() == null || resource.getSpec().getSpectrumRef() == null ? new SpectrumRef("")
                : resource.getSpec().getSpectrumRef();
    }

    /** Who applies the view: the resource's namespace/name (a second one of that name elsewhere is a Conflict). */
    private static String owner(CustomResource<?, ?> resource) {
        return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    private UpdateControl<R> notReady(R resource, String reason, String message, boolean tryAgain) {
        DefinitionStatusWriter.notReady(client, resource, reason, message);
        UpdateControl<R> control = UpdateControl.patchStatus(resource);
        return tryAgain ? control.rescheduleAfter(retry) : control;
    }

    protected static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse("");
    }
}
