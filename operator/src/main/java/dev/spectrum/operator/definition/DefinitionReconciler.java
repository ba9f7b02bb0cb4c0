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
import dev.spectrum.operator.common.Conditions;
import dev.spectrum.operator.common.KubernetesEvents;
import dev.spectrum.operator.spectrum.state.SpectrumDatabase;
import dev.spectrum.operator.spectrum.dependent.Settings;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The lifecycle every definition shares (crds.md): validate → find its Spectrum's database →
 * apply the generated view (unchanged SQL changes nothing) → publish the SQL in a ConfigMap and
 * own a refresh CronJob → read results back into the status, again every results interval.
 * Deleting the resource drops its view (finalizer); the ConfigMap and CronJob go with their owner
 * reference. Subclasses say how to check the resource and how to read its results.
 */
public abstract class DefinitionReconciler<P extends DefinitionSpec, S extends DefinitionStatus, R extends CustomResource<P, S>>
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

    @Override
    public UpdateControl<R> reconcile(R resource, Context<R> context) {
        if (resource.getStatus() == null) {
            resource.setStatus(newStatus());
        }
        S status = resource.getStatus();
        Long generation = resource.getMetadata().getGeneration();
        Definition definition;
        try {
            definition = define(resource);
        } catch (InvalidDefinitionException e) {
            return notReady(resource, status, "InvalidSpec", String.join("; ", e.problems()), false);
        }
        String namespace = resource.getMetadata().getNamespace();
        Spectrum spectrum = client.resources(Spectrum.class).inNamespace(namespace).withName(spectrumRef(resource).getName()).get();
        if (spectrum == null) {
            return notReady(resource, status, "SpectrumNotFound", "no Spectrum named '" + spectrumRef(resource).getName()
                    + "' in namespace " + namespace + "; create it or fix spec.spectrumRef", true);
        }
        SpectrumDatabase database;
        try {
            database = SpectrumDatabase.of(spectrum, client, Settings.addresses());
        } catch (SpectrumDatabase.Unavailable e) {
            return notReady(resource, status, e.reason, e.getMessage(), true);
        }
        DataSource dataSource = database.dataSource();
        String sql = definition.createSql();
        String hash = ViewStore.sha256(sql);
        try {
            ViewStore.Outcome outcome = new ViewStore(dataSource, owner(resource)).apply(definition,
                    JSON.writeValueAsString(resource.getSpec()));
            if (outcome != ViewStore.Outcome.UNCHANGED) {
                KubernetesEvents.record(client, resource, true, outcome == ViewStore.Outcome.CREATED ? "ViewCreated" : "ViewReplaced",
                        definition.viewName().qualified() + " " + outcome.name().toLowerCase(Locale.ROOT));
            }
            readResults(resource, dataSource, definition);
        } catch (ViewStore.Conflict e) {
            return notReady(resource, status, "Conflict", e.getMessage(), false);
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            return notReady(resource, status, "DatabaseError", "cannot apply the view in " + database.describe() + ": "
                    + firstLine(e.getMessage()), true);
        }
        client.resource(RefreshObjects.sqlConfigMap(resource, definition.kind(), sql, hash)).createOr(NonDeletingOperation::update);
        client.resource(RefreshObjects.refreshCronJob(resource, definition.kind(), definition.viewName().name(), definition.schedule(),
                new SpectrumNames(namespace, spectrum.getMetadata().getName()).loginSecret(SpectrumNames.Component.PIPELINE),
                refreshImage)).createOr(NonDeletingOperation::update);

        status.setObservedGeneration(generation);
        status.setViewName(definition.viewName().qualified());
        status.setSqlHash(hash);
        Conditions.set(status.getConditions(), "Ready", true, "Applied", definition.viewName().qualified()
                + " is applied and refreshed on " + definition.schedule(), generation);
        return UpdateControl.patchStatus(resource).rescheduleAfter(resultsInterval);
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

    private static SpectrumRef spectrumRef(CustomResource<? extends DefinitionSpec, ?> resource) {
        return resource.getSpec() == null || resource.getSpec().getSpectrumRef() == null ? new SpectrumRef("")
                : resource.getSpec().getSpectrumRef();
    }

    /** Who applies the view: the resource's namespace/name (a second one of that name elsewhere is a Conflict). */
    private static String owner(CustomResource<?, ?> resource) {
        return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    private UpdateControl<R> notReady(R resource, S status, String reason, String message, boolean tryAgain) {
        Long generation = resource.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        Conditions.set(status.getConditions(), "Ready", false, reason, message, generation);
        KubernetesEvents.record(client, resource, false, reason, message);
        UpdateControl<R> control = UpdateControl.patchStatus(resource);
        return tryAgain ? control.rescheduleAfter(retry) : control;
    }

    protected static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse("");
    }
}
