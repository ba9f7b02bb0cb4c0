package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.model.Labels;
import dev.spectrum.operator.spectrum.model.PipelineModel;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** {@code <s>-pipeline}: CALL warehouse.run_pipeline() on spec.pipeline.schedule, as the pipeline login. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
public class PipelineCronJobDependent extends CRUDKubernetesDependentResource<CronJob, Spectrum> {

    public PipelineCronJobDependent() {
        super(CronJob.class);
    }

    @Override
    protected CronJob desired(Spectrum spectrum, Context<Spectrum> context) {
        return PipelineModel.cronJob(spectrum, Settings.psqlImage());
    }
}
