package dev.spectrum.operator.definition.dependent;

import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.operator.definition.DefinitionState;
import dev.spectrum.operator.definition.RefreshObjects;
import dev.spectrum.operator.spectrum.model.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * {@code <kind>-<name>-refresh}: refreshes the definition's view on its schedule, logged in as the
 * Spectrum's pipeline login (environment from {@code <s>-db-pipeline}, nothing secret in the
 * command line), owned by the definition. One class for every kind; the subclasses only name the
 * primary type (one dependent instance per controller).
 */
public abstract class RefreshCronJobDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<CronJob, R> {

    protected RefreshCronJobDependent() {
        super(CronJob.class);
    }

    @Override
    protected CronJob desired(R definition, Context<R> context) {
        DefinitionState state = DefinitionState.of(context);
        return RefreshObjects.refreshCronJob(definition, state.kind(), state.viewName(), state.schedule(), state.pipelineSecret(),
                state.image());
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class ForFunnel extends RefreshCronJobDependent<Funnel> {
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class ForExperiment extends RefreshCronJobDependent<Experiment> {
    }
}
